import { describe, expect, it } from 'vitest';
import { parse } from '../src/ui/shareCodec';
import { HEALTH_HASH, mergeHash, runsInHash } from './benchHealth';

describe('health-run links', () => {
  it('mergeHash overrides a key in place and appends new keys; the share codec reads the override', () => {
    const merged = mergeHash(HEALTH_HASH, 'trainSubset=512&runs=none,soft,hard');
    expect(merged.match(/trainSubset=/g)).toHaveLength(1);
    const link = parse(merged);
    expect(link.errors).toEqual([]);
    expect(link.config.trainSubset).toBe(512);
    expect(link.config.student).toBe('deit-nano');
    expect(link.autostart).toBe(true);
    expect(link.runs.map((r) => r.distillation)).toEqual(['none', 'soft', 'hard']);
    expect(mergeHash(HEALTH_HASH, '')).toBe(HEALTH_HASH);
  });

  it('runsInHash counts the runs a link trains', () => {
    expect(runsInHash(HEALTH_HASH)).toBe(1);
    expect(runsInHash(mergeHash(HEALTH_HASH, 'runs=none,soft,hard'))).toBe(3);
    expect(runsInHash('runs=')).toBe(1);
  });
});
