// Attention maps: where the class token and the distillation token look in one test image, in every layer, overlaid
// on the image (mean over heads, or one head). The image is picked from a strip of one test image per class, or at
// random; the worker refreshes its sample at each evaluation, and answers a pick at once (also while paused).
import { memo, useEffect, useRef, useState } from 'react';
import { DATASETS } from '../../engine/config';
import type { Sample } from '../../workers/protocol';
import { SampleImage } from '../components/SampleImage';
import { useController } from '../hooks/useController';
import { useInsightRuns } from '../hooks/useChartRuns';
import { useAppStore } from '../hooks/useAppStore';
import { isLive, runColor } from '../store/runModel';
import { runName } from '../charts/chartData';
import { argmax, attentionGrid } from './insightData';

const MAP_PX = 96;

export function AttentionMaps() {
  const { focused: run } = useInsightRuns();
  const ctl = useController();
  const activeRunId = useAppStore((s) => s.activeRunId);
  const [head, setHead] = useState<number | 'mean'>('mean');
  const sample = run?.sample ?? null;
  const classNames = DATASETS[run?.config.dataset ?? 'fashion-mnist'].classNames;
  const canPick = !!run && run.id === activeRunId && (isLive(run.status) || run.status === 'done');
  const heads = sample?.attention[0]?.[0]?.length ?? 0;
  const shownHead = head !== 'mean' && head >= heads ? 'mean' : head;
  const name = (c: number) => classNames[c] ?? `class ${c}`;
  return (
    <section className="chart chart-wide attention" data-testid="attention-maps" aria-labelledby="attention-title">
      <header className="chart-head">
        <h3 id="attention-title">Where the tokens look</h3>
        {heads > 0 && (
          <div className="segmented" role="radiogroup" aria-label="Attention heads">
            {(['mean', ...Array.from({ length: heads }, (_, h) => h)] as const).map((h) => (
              <label key={h} className={shownHead === h ? 'seg-on' : ''}>
                <input type="radio" name="attention-head" checked={shownHead === h} onChange={() => setHead(h)} data-testid={`attention-head-${h}`} />
                {h === 'mean' ? 'mean of heads' : `head ${h + 1}`}
              </label>
            ))}
          </div>
        )}
      </header>
      <p className="chart-desc">
        The attention of the class token and of the distillation token over the 7×7 patches of a test image, in each
        layer (warmer: more attention, scaled per map; the caption under each map gives the share left on the tokens){run ? <> — run <span className="swatch" style={{ background: runColor(run) }} aria-hidden="true" /> {runName(run)}</> : null}. Pick an image:
      </p>
      <div className="attention-strip" role="group" aria-label="Test images">
        {run?.strip.map((i) => run.images[i]).filter((im) => im !== undefined).map((im) => (
          <button key={im.index} type="button" className="strip-image" aria-pressed={sample?.index === im.index} disabled={!canPick}
            onClick={() => ctl.requestSample(im.index)} data-testid="attention-strip-image" title={name(im.label)}>
            <SampleImage pixels={im.pixels} size={im.imageSize} label={`Test image ${im.index}, a ${name(im.label)}`} />
          </button>
        ))}
        <button type="button" className="btn btn-small" disabled={!canPick} onClick={() => ctl.requestSample()} data-testid="attention-another">another</button>
      </div>
      {!sample ? (
        <p className="chart-empty-inline">{run ? 'The maps appear with the run’s first evaluation, or when you pick an image.' : 'Start a run to see where its tokens look.'}</p>
      ) : (
        <>
          <p className="attention-caption" data-testid="attention-caption">
            Test image #{sample.index}, a <strong>{name(sample.label)}</strong>, at step {sample.step}. Class head: {name(argmax(sample.clsProbs))}
            {sample.distProbs && <>; distillation head: {name(argmax(sample.distProbs))}</>}; fused: {name(argmax(sample.fusedProbs))}
            {sample.teacherLogits && <>; teacher: {name(argmax(sample.teacherLogits))}</>}.
          </p>
          <TokenMaps sample={sample} token={0} head={shownHead} testId="attention-map-cls" title="class token" />
          {sample.distProbs
            ? <TokenMaps sample={sample} token={1} head={shownHead} testId="attention-map-dist" title="distillation token" />
            : <p className="muted" data-testid="attention-map-dist">This student has no distillation token.</p>}
        </>
      )}
    </section>
  );
}

const TokenMaps = memo(function TokenMaps({ sample, token, head, testId, title }: { sample: Sample; token: 0 | 1; head: number | 'mean'; testId: string; title: string }) {
  const layers = sample.attention.length;
  return (
    <div className="token-maps" data-testid={testId} data-layers={layers} data-index={sample.index} data-step={sample.step} data-head={head}>
      <div className="token-maps-title">{title}</div>
      <div className="token-maps-row">
        {Array.from({ length: layers }, (_, l) => {
          const g = attentionGrid(sample, l, token, head);
          if (!g) return null;
          return (
            <figure key={l} className="token-map">
              <AttentionCanvas image={sample.image} imageSize={sample.imageSize} grid={g.grid} gridSize={sample.gridSize}
                label={`${title}, ${l === layers - 1 ? 'last block' : `block ${l + 1}`}`} />
              <figcaption>block {l + 1}<span className="muted"> · {Math.round(g.onTokens * 100)}% on tokens</span></figcaption>
            </figure>
          );
        })}
      </div>
    </div>
  );
});

/** The image in grey, upscaled, with each patch tinted by its attention, scaled from the map's least to its most attended patch. */
function AttentionCanvas({ image, imageSize, grid, gridSize, label }: { image: readonly number[]; imageSize: number; grid: readonly number[]; gridSize: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const src = document.createElement('canvas');
    src.width = imageSize;
    src.height = imageSize;
    const sctx = src.getContext('2d');
    if (!sctx) return;
    const img = sctx.createImageData(imageSize, imageSize);
    for (let i = 0; i < imageSize * imageSize; i++) {
      const v = 255 - (image[i] ?? 0);
      img.data.set([v, v, v, 255], i * 4);
    }
    sctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(src, 0, 0, MAP_PX, MAP_PX);
    // Scaled per map, from its least to its most attended patch: the pattern shows even when attention is nearly flat.
    const min = Math.min(...grid);
    const span = Math.max(Math.max(...grid) - min, 1e-9);
    const cell = MAP_PX / gridSize;
    grid.forEach((a, j) => {
      ctx.fillStyle = `rgba(230, 80, 0, ${(0.7 * (a - min)) / span})`;
      ctx.fillRect((j % gridSize) * cell, Math.floor(j / gridSize) * cell, cell, cell);
    });
    canvas.dataset.drawn = 'true';
  }, [image, imageSize, grid, gridSize]);
  return <canvas ref={ref} width={MAP_PX} height={MAP_PX} className="attention-canvas" role="img" aria-label={label} data-testid="attention-canvas" />;
}
