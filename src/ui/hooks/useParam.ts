// One config field for a control: its value (atomic selector) and a setter that goes through the store's validation.
import { useCallback } from 'react';
import type { TrainConfig } from '../../engine/config';
import { appStore } from '../store/appStore';
import { useAppStore } from './useAppStore';

export function useParam<K extends keyof TrainConfig>(key: K): [TrainConfig[K], (v: TrainConfig[K]) => boolean] {
  const value = useAppStore((s) => s.config[key]);
  const set = useCallback((v: TrainConfig[K]) => appStore.getState().setParam(key, v), [key]);
  return [value, set];
}
