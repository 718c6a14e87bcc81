import { setupNodeWebGpu } from '/work/wt13/src/engine/testing/nodeWebgpu';
import { countStudentStep } from '/work/wt13/src/engine/testing/stepCounts';
console.log(await setupNodeWebGpu());
const t0 = performance.now();
const r = await countStudentStep((process.argv[2] ?? 'deit-nano') as never, 64, 1);
console.log(JSON.stringify(r, null, 1), performance.now() - t0);
process.exit(0);
