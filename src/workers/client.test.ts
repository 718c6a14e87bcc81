// TrainingClient against a fake Worker: typed subscriptions, crash notices, restart keeping listeners, and no
// runtime import of tfjs or the engine (the client is main-thread code).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrainingClient } from './client';
import type { FromWorker } from './protocol';

class FakeWorker extends EventTarget {
  sent: unknown[] = [];
  terminated = false;
  postMessage(m: unknown): void {
    this.sent.push(m);
  }
  terminate(): void {
    this.terminated = true;
  }
  emit(data: FromWorker): void {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }
  fail(message: string): void {
    const ev = new Event('error', { cancelable: true });
    Object.assign(ev, { message, filename: 'training.worker.js', lineno: 7 });
    this.dispatchEvent(ev);
  }
}

function setup() {
  const workers: FakeWorker[] = [];
  const client = new TrainingClient(() => {
    const w = new FakeWorker();
    workers.push(w);
    return w as unknown as Worker;
  });
  return { client, workers };
}

const status = (runId: string): FromWorker => ({ type: 'status', runId, status: 'student', step: 3 });
const ready = (runId: string) => ({ type: 'ready', version: 1, runId, backend: {} }) as unknown as FromWorker;

describe('TrainingClient', () => {
  it('sends to the worker and routes messages by type and to onAny; unsubscribe stops delivery', () => {
    const { client, workers } = setup();
    client.send({ type: 'start' });
    expect(workers[0]!.sent).toEqual([{ type: 'start' }]);
    const statuses: string[] = [];
    const all: string[] = [];
    const off = client.on('status', (m) => statuses.push(`${m.status}@${m.step}`));
    client.onAny((m) => all.push(m.type));
    workers[0]!.emit(status('a'));
    workers[0]!.emit(ready('a'));
    off();
    workers[0]!.emit(status('a'));
    expect(statuses).toEqual(['student@3']);
    expect(all).toEqual(['status', 'ready', 'status']);
  });

  it("reports the worker's error and messageerror events through onCrash", () => {
    const { client, workers } = setup();
    const crashes: string[] = [];
    client.onCrash(({ message }) => crashes.push(message));
    workers[0]!.fail('Uncaught ReferenceError: e is not defined');
    workers[0]!.dispatchEvent(new Event('messageerror'));
    expect(crashes).toEqual(['Uncaught ReferenceError: e is not defined (training.worker.js:7)', 'a message from the training worker could not be deserialised']);
  });

  it('restart() terminates the worker and creates a new one with the listeners still attached', () => {
    const { client, workers } = setup();
    const got: string[] = [];
    client.on('status', (m) => got.push(m.runId));
    client.restart();
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
    workers[0]!.emit(status('old')); // a late message of the replaced worker
    workers[1]!.emit(status('new'));
    expect(got).toEqual(['new']);
    client.send({ type: 'pause' });
    expect(workers[1]!.sent).toEqual([{ type: 'pause' }]);
  });

  it('terminate() ends the worker; send then throws until restart()', () => {
    const { client, workers } = setup();
    client.terminate();
    expect(workers[0]!.terminated).toBe(true);
    expect(() => client.send({ type: 'start' })).toThrow(/terminated/);
    client.restart();
    client.send({ type: 'start' });
    expect(workers[1]!.sent).toEqual([{ type: 'start' }]);
  });

  it('imports only types (no tfjs, no engine code) so nothing heavy reaches the main thread', () => {
    const src = readFileSync(join(import.meta.dirname, 'client.ts'), 'utf8');
    const imports = [...src.matchAll(/^import\s+(type\s+)?[^;]*from\s+'([^']+)'/gm)];
    expect(imports.length).toBeGreaterThan(0);
    for (const m of imports) expect(m[1], `runtime import of ${m[2]}`).toBe('type ');
    expect(src).toMatch(/new Worker\(new URL\('\.\/training\.worker\.ts', import\.meta\.url\), \{ type: 'module' \}\)/);
  });
});
