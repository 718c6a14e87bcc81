// The run controller for components (provided once in main.tsx), so buttons never talk to the worker directly.
import { createContext, useContext } from 'react';
import type { RunController } from '../worker/runController';

export const ControllerContext = createContext<RunController | null>(null);

export function useController(): RunController {
  const c = useContext(ControllerContext);
  if (!c) throw new Error('useController outside <ControllerContext.Provider>');
  return c;
}
