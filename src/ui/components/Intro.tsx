// A few lines on what the page shows: the two tokens, the fused prediction, the teacher line.
export function Intro() {
  return (
    <section className="intro" aria-label="What you are seeing">
      <p>
        A small vision transformer (the <strong>student</strong>) learns Fashion-MNIST with two extra tokens, as in DeiT
        (Touvron et al., 2020). The <strong>class token</strong>’s head learns from the labels; the <strong>distillation token</strong>’s
        head learns from a <strong>teacher</strong> (a CNN by default, or a transformer): its softened probabilities (soft) or its top guess (hard).
        <strong> Fused</strong> averages both heads, DeiT’s prediction at test time. The dashed line is the teacher’s accuracy.
        Does the ordering the paper reports hold at browser budgets? Sweep the modes, or reproduce Table 3, with three
        seeds: on budgets this short, one seed can move a run by ten points, so a single run per mode shows no ordering.
      </p>
    </section>
  );
}
