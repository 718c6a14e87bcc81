// Data and reproducibility controls: dataset and how much of it a run uses (training images per epoch, the
// evaluation subset, the end-of-epoch test images), augmentation, seed (with a new-seed button) and the backend.
import { DATASETS, ENUM_VALUES, NUMERIC_RANGES, type BackendChoice, type DatasetName } from '../../engine/config';
import { formatInt } from '../format';
import { useAppStore } from '../hooks/useAppStore';
import { useParam } from '../hooks/useParam';
import { Checkbox } from './Checkbox';
import { NumberField } from './NumberField';

const DATASET_LABEL: Record<DatasetName, string> = { 'fashion-mnist': 'Fashion-MNIST (28×28, 10 classes)' };

const BACKEND_LABEL: Record<BackendChoice, string> = {
  auto: 'auto (WebGPU, else fallback)',
  webgpu: 'WebGPU (forced)',
  webgl: 'WebGL (forced)',
  wasm: 'WASM (forced)',
  cpu: 'CPU (forced, slowest)',
};

export function DataControls() {
  const [dataset, setDataset] = useParam('dataset');
  const [augment, setAugment] = useParam('augment');
  const [hflip, setHflip] = useParam('hflip');
  const [seed, setSeed] = useParam('seed');
  const [backend, setBackend] = useParam('backend');
  const [trainSubset, setTrainSubset] = useParam('trainSubset');
  const [evalSubset, setEvalSubset] = useParam('evalSubset');
  const [testSubset, setTestSubset] = useParam('testSubset');
  const info = DATASETS[dataset];
  const onGpu = useAppStore((s) => s.backend?.backend === 'webgpu' && !s.backend.adapter?.isFallbackAdapter);
  return (
    <section className="control-section" aria-labelledby="sec-data">
      <h2 id="sec-data">Data &amp; reproducibility</h2>
      <div className="field">
        <div className="field-head"><label htmlFor="dataset">Dataset</label></div>
        <select id="dataset" value={dataset} data-testid="control-dataset" onChange={(e) => setDataset(e.currentTarget.value as DatasetName)}>
          {ENUM_VALUES.dataset.map((d) => <option key={d} value={d}>{DATASET_LABEL[d]}</option>)}
        </select>
      </div>
      <NumberField
        id="train-subset" label="Training images per epoch" value={trainSubset} range={NUMERIC_RANGES.trainSubset}
        onCommit={setTrainSubset} testId="train-subset"
        hint={`The first ${formatInt(trainSubset)} of the ${formatInt(info.trainCount)} training images, in a seeded shuffle.`}
      />
      <NumberField
        id="eval-subset" label="Evaluation images" value={evalSubset} range={NUMERIC_RANGES.evalSubset}
        onCommit={setEvalSubset} testId="eval-subset"
        hint="A fixed, seeded sample of the test split, scored at every evaluation during training."
      />
      <NumberField
        id="test-subset" label="Test images at epoch end" value={testSubset} range={NUMERIC_RANGES.testSubset}
        onCommit={setTestSubset} testId="test-subset"
        hint={testSubset >= info.testCount
          ? `The whole test split (${formatInt(info.testCount)}) at the end of each epoch${onGpu ? '.' : ': minutes on a slow backend; lower it there.'}`
          : `The first ${formatInt(testSubset)} of the ${formatInt(info.testCount)} test images at the end of each epoch.`}
      />
      <fieldset className="field">
        <legend className="field-head">Augmentation</legend>
        <Checkbox id="augment" label="Random shift (±2 px)" checked={augment} onChange={setAugment} />
        <Checkbox id="hflip" label="Horizontal flip" checked={hflip} onChange={setHflip} hint="Not a symmetry of every class." />
        {(augment || hflip) && <p className="field-hint">With augmentation the teacher runs on every batch (no cached logits): slower.</p>}
      </fieldset>
      <NumberField
        id="seed" label="Seed" value={seed} range={NUMERIC_RANGES.seed} onCommit={setSeed} testId="seed"
        hint="Same seed, same data order and initialisation: runs differ only by what you changed."
        after={<button type="button" className="btn btn-small" onClick={() => setSeed(Math.floor(Math.random() * 10000))}>New seed</button>}
      />
      <div className="field">
        <div className="field-head"><label htmlFor="backend">Backend</label></div>
        <select id="backend" value={backend} data-testid="control-backend" onChange={(e) => setBackend(e.currentTarget.value as BackendChoice)}>
          {ENUM_VALUES.backend.map((b) => <option key={b} value={b}>{BACKEND_LABEL[b]}</option>)}
        </select>
        <p className="field-hint">Requested for the next run; the badge at the top shows what is really in use.</p>
      </div>
    </section>
  );
}
