// A test image from the worker's sample (raw 8-bit grey pixels), drawn pixelated on a canvas.
import { useEffect, useRef } from 'react';

export function SampleImage({ pixels, size, label }: { pixels: readonly number[]; size: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx || pixels.length < size * size) return;
    const img = ctx.createImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      const v = 255 - (pixels[i] ?? 0); // dark on light, like the rest of the page
      img.data[i * 4] = v;
      img.data[i * 4 + 1] = v;
      img.data[i * 4 + 2] = v;
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels, size]);
  return <canvas ref={ref} width={size} height={size} className="sample-image" role="img" aria-label={label} />;
}
