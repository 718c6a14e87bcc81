// AdamW with decoupled weight decay (as torch.optim.AdamW) and global-norm gradient clipping, without GPU readbacks.
import * as tf from '@tensorflow/tfjs-core';
import { adamWParam, globalNormFlat, updateMomentsInPlace } from './webgpu/adamw';
import { useWebGpuKernels } from './webgpu/program';

export interface AdamWOptions {
  /** Decoupled weight decay: each step multiplies decayed params by `1 - lr * weightDecay`. */
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Last path segments that are never decayed: biases, LayerNorm/BatchNorm scale and shift, and the DeiT tokens. */
const NO_DECAY_LEAVES = new Set(['bias', 'gamma', 'beta', 'clsToken', 'distToken', 'posEmbed']);

/**
 * Whether a parameter is excluded from weight decay, following DeiT/timm (`param.ndim <= 1 or
 * name.endswith(".bias") or name in {pos_embed, cls_token, dist_token}`): decaying a bias or a norm's
 * scale only fights the normalisation, and the tokens are embeddings, not weights.
 *
 * The rule is on the last dot-separated segment of `name` ('blocks.0.norm1.gamma' -> 'gamma'):
 * `bias`, `gamma`, `beta`, `clsToken`, `distToken` and `posEmbed` are not decayed. When `shape` is given,
 * any parameter of rank <= 1 is not decayed either, which catches 1-D parameters with other names.
 */
export function isNoDecay(name: string, shape?: readonly number[]): boolean {
  const leaf = name.slice(name.lastIndexOf('.') + 1);
  if (NO_DECAY_LEAVES.has(leaf)) return true;
  return shape !== undefined && shape.length <= 1;
}

interface Slot {
  param: tf.Variable;
  decay: boolean;
  /** The plain path's moments; null on the WebGPU kernels' path, which keeps them all in one buffer. */
  m: tf.Variable | null;
  v: tf.Variable | null;
  /** Index of the parameter's first value in that buffer's m half (and, plus its size, in the flat gradient). */
  offset: number;
}

/**
 * AdamW over a record of named variables. Per step, for each parameter with a gradient:
 * `p *= 1 - lr*wd` (decay params only); `m = b1 m + (1-b1) g`; `v = b2 v + (1-b2) g^2`;
 * `p -= lr * mhat / (sqrt(vhat) + eps)` with `mhat = m / (1-b1^t)`, `vhat = v / (1-b2^t)`.
 *
 * The moment slots are created up front, so memory is flat from construction. The step count and the bias
 * corrections live in JS numbers, so a step never reads the GPU.
 */
export class AdamW {
  private readonly slots: Map<string, Slot>;
  private readonly weightDecay: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  // Step-independent constants, uploaded once rather than once per parameter per step.
  private readonly consts: { b1: tf.Scalar; oneMinusB1: tf.Scalar; b2: tf.Scalar; oneMinusB2: tf.Scalar; eps: tf.Scalar };
  /**
   * On WebGPU (useWebGpuKernels), every parameter's m and v in one float32 buffer [2N], m first: a step updates all
   * moments in one dispatch and each parameter in one more (webgpu/adamw.ts), instead of ~12 tfjs kernels per
   * parameter. Null on the plain path.
   */
  private readonly mv: tf.Variable | null;
  private t = 0;
  private disposed = false;

  /**
   * @param params the variables to train, by name; the names decide weight decay (see {@link isNoDecay}).
   *   The optimizer updates them in place but does not own them: `dispose()` leaves them alone.
   */
  constructor(params: Record<string, tf.Variable>, opts: AdamWOptions) {
    this.weightDecay = opts.weightDecay;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    for (const [key, value] of Object.entries({ weightDecay: this.weightDecay, eps: this.eps })) {
      if (!Number.isFinite(value) || value < 0) throw new Error(`AdamW: ${key}=${value} must be a finite number >= 0`);
    }
    for (const [key, value] of Object.entries({ beta1: this.beta1, beta2: this.beta2 })) {
      if (!(value >= 0 && value < 1)) throw new Error(`AdamW: ${key}=${value} must be in [0, 1)`);
    }
    this.slots = new Map();
    const fused = useWebGpuKernels();
    let offset = 0;
    for (const [name, param] of Object.entries(params)) {
      // No name on the slots: tfjs variable names are global, and two optimizers may share parameters' names.
      const [m, v] = fused ? [null, null] : tf.tidy(() => [tf.zerosLike(param).variable(false), tf.zerosLike(param).variable(false)]);
      this.slots.set(name, { param, m: m as tf.Variable | null, v: v as tf.Variable | null, decay: !isNoDecay(name, param.shape), offset });
      offset += param.size;
    }
    this.mv = fused ? tf.tidy(() => tf.zeros([2 * offset]).variable(false)) : null;
    this.consts = {
      b1: tf.scalar(this.beta1),
      oneMinusB1: tf.scalar(1 - this.beta1),
      b2: tf.scalar(this.beta2),
      oneMinusB2: tf.scalar(1 - this.beta2),
      eps: tf.scalar(this.eps),
    };
  }

  /** Optimizer steps taken so far (the `t` of the bias corrections). */
  get step(): number {
    return this.t;
  }

  /** Names of the parameters that receive weight decay, for display and tests. */
  get decayedNames(): string[] {
    return [...this.slots].filter(([, s]) => s.decay).map(([name]) => name);
  }

  /**
   * One AdamW step. Parameters without an entry in `grads` are left untouched (as torch does for a `None`
   * grad), but the shared step count still advances.
   *
   * @param grads gradients by parameter name, each shaped like its parameter; the caller keeps ownership
   *   and disposes them.
   * @param lr the learning rate for this step (from the schedule), so live changes take effect immediately.
   */
  applyGradients(grads: Record<string, tf.Tensor>, lr: number): void {
    const work = this.validate(grads, lr);
    if (this.mv) {
      this.fusedUpdate(work, lr, 0);
      return;
    }
    const { stepSize, invSqrtBc2, decayFactor } = this.advance(lr);
    const c = this.consts;
    tf.tidy(() => {
      const stepSizeT = tf.scalar(stepSize);
      const invSqrtBc2T = tf.scalar(invSqrtBc2);
      const decayT = tf.scalar(decayFactor);
      for (const [{ param, m, v, decay }, g] of work) {
        if (!m || !v) throw new Error('AdamW: plain update without moment slots');
        const m1 = tf.add(tf.mul(c.b1, m), tf.mul(c.oneMinusB1, g));
        const v1 = tf.add(tf.mul(c.b2, v), tf.mul(c.oneMinusB2, tf.square(g)));
        // torch's arrangement: sqrt(v)/sqrt(bc2) + eps, and lr/bc1 folded into one scalar.
        const denom = tf.add(tf.mul(tf.sqrt(v1), invSqrtBc2T), c.eps);
        const decayed = decay && this.weightDecay !== 0 ? tf.mul(param, decayT) : param;
        const next = tf.sub(decayed, tf.div(tf.mul(m1, stepSizeT), denom));
        m.assign(m1);
        v.assign(v1);
        param.assign(next);
      }
    });
  }

  /**
   * Global-norm clipping (see {@link clipByGlobalNorm}) and one AdamW step: the whole optimizer step of a training step.
   * Returns the global gradient norm before clipping as a new scalar (the caller disposes it and the gradients).
   * On WebGPU this is the kernels' path: the norm and the clipping happen inside the moments' dispatch.
   */
  clipAndApply(grads: Record<string, tf.Tensor>, lr: number, clipNorm: number): tf.Scalar {
    if (!this.mv) {
      const clipped = clipByGlobalNorm(grads, clipNorm);
      try {
        this.applyGradients(clipped.grads, lr);
      } catch (e) {
        clipped.norm.dispose();
        throw e;
      } finally {
        tf.dispose(clipped.grads);
      }
      return clipped.norm;
    }
    return this.fusedUpdate(this.validate(grads, lr), lr, clipNorm, true) ?? tf.scalar(0);
  }

  /** Checks every gradient against its parameter before anything is touched, so a bad call never half-applies a step. */
  private validate(grads: Record<string, tf.Tensor>, lr: number): [Slot, tf.Tensor][] {
    if (this.disposed) throw new Error('AdamW: applyGradients after dispose()');
    if (!Number.isFinite(lr) || lr < 0) throw new Error(`AdamW: learning rate ${lr} must be a finite number >= 0`);
    const work: [Slot, tf.Tensor][] = [];
    for (const [name, g] of Object.entries(grads)) {
      const slot = this.slots.get(name);
      if (slot === undefined) throw new Error(`AdamW: gradient for unknown parameter "${name}"`);
      if (!tf.util.arraysEqual(g.shape, slot.param.shape)) {
        throw new Error(`AdamW: gradient for "${name}" has shape [${g.shape.join(', ')}], parameter has [${slot.param.shape.join(', ')}]`);
      }
      work.push([slot, g]);
    }
    return work;
  }

  /** Advances the step count and returns this step's scalars: lr/bc1, 1/sqrt(bc2), the decay factor. */
  private advance(lr: number): { stepSize: number; invSqrtBc2: number; decayFactor: number } {
    const t = ++this.t;
    return { stepSize: lr / (1 - this.beta1 ** t), invSqrtBc2: 1 / Math.sqrt(1 - this.beta2 ** t), decayFactor: 1 - lr * this.weightDecay };
  }

  /**
   * The WebGPU kernels' step: the gradients flattened into one [sum of sizes] tensor (in parameter order), its norm
   * (one pass, when asked for or needed for clipping), the moments of each run of consecutive parameters with a
   * gradient (one pass; normally one run), then one pass per parameter. Same arithmetic as the plain path.
   */
  private fusedUpdate(work: [Slot, tf.Tensor][], lr: number, clipNorm: number, wantNorm = false): tf.Scalar | null {
    const mv = this.mv! as tf.Tensor as tf.Tensor1D;
    const { stepSize, invSqrtBc2, decayFactor } = this.advance(lr);
    if (work.length === 0) return wantNorm ? tf.scalar(0) : null;
    const sorted = [...work].sort((a, b) => a[0].offset - b[0].offset);
    const norm = tf.tidy(() => {
      const flat = sorted.map(([, g]) => tf.reshape(g, [-1]));
      const gAll = (flat.length === 1 ? flat[0]! : tf.concat(flat)) as tf.Tensor1D; // [sum of sizes]
      const maxNorm = clipNorm > 0 ? clipNorm : 0;
      const norm = wantNorm || maxNorm > 0 ? globalNormFlat(gAll) : null;
      let gOffset = 0;
      let run: { mvOffset: number; gOffset: number; count: number } | null = null;
      const flush = () => {
        if (run) updateMomentsInPlace(mv, gAll, norm ?? gAll, { b1: this.beta1, b2: this.beta2, maxNorm, ...run });
      };
      for (const [slot] of sorted) {
        const size = slot.param.size;
        if (run && run.mvOffset + run.count === slot.offset) run.count += size;
        else {
          flush();
          run = { mvOffset: slot.offset, gOffset, count: size };
        }
        gOffset += size;
      }
      flush();
      for (const [{ param, decay, offset }] of sorted) {
        const next = adamWParam(tf.reshape(param, [-1]) as tf.Tensor1D, mv, {
          offset,
          stepSize,
          invSqrtBc2,
          eps: this.eps,
          decay: decay && this.weightDecay !== 0 ? decayFactor : 1,
        });
        param.assign(tf.reshape(next, param.shape));
      }
      return norm ?? undefined;
    });
    return (norm as tf.Scalar | undefined) ?? null;
  }

  /** Frees the moment slots and constants; the parameters belong to the caller. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const { m, v } of this.slots.values()) tf.dispose([m, v].filter((x): x is tf.Variable => x !== null));
    this.mv?.dispose();
    tf.dispose(Object.values(this.consts));
  }
}

/**
 * The global L2 norm over all gradients, `sqrt(sum_i ||g_i||^2)`, as a scalar tensor (0 for no gradients).
 * No readback: the caller decides when to `await norm.data()`.
 *
 * One concat of the flattened gradients and one reduction, not a reduction per gradient summed by tf.addN: on WebGPU
 * an AddN of more than 7 tensors needs more storage buffers than maxStorageBuffersPerShaderStage (8, the default that
 * tfjs asks for), its pipeline is invalid, and the command buffer it lands in is dropped with the rest of the step's
 * work in it, silently (tfjs's concat splits its inputs to stay under the limit). It is also ~2 kernels instead of 2
 * per parameter.
 */
export function globalNorm(grads: Record<string, tf.Tensor>): tf.Scalar {
  return tf.tidy(() => {
    const flat = Object.values(grads).map((g) => tf.reshape(g, [-1]));
    if (flat.length === 0) return tf.scalar(0);
    const all = flat.length === 1 ? flat[0]! : tf.concat(flat); // [sum of sizes]
    return tf.sqrt(tf.sum(tf.square(all))) as tf.Scalar;
  });
}

/**
 * Scales all gradients by `min(1, maxNorm / (norm + 1e-6))` (torch.nn.utils.clip_grad_norm_), computed as a
 * tensor so that clipping never syncs with the GPU.
 *
 * @param maxNorm the largest allowed global norm; 0 (or less) disables clipping but still measures the norm.
 * @returns new gradient tensors (clones when not clipping) and the pre-clipping global norm, for logging.
 *   The caller disposes the inputs, the returned gradients and the norm independently.
 */
export function clipByGlobalNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number,
): { grads: Record<string, tf.Tensor>; norm: tf.Scalar } {
  return tf.tidy(() => {
    const norm = globalNorm(grads);
    const out: Record<string, tf.Tensor> = {};
    if (maxNorm > 0) {
      const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(norm, tf.scalar(1e-6))));
      for (const [name, g] of Object.entries(grads)) out[name] = tf.mul(g, scale);
    } else {
      for (const [name, g] of Object.entries(grads)) out[name] = tf.clone(g);
    }
    return { grads: out, norm };
  });
}
