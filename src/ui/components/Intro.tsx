// A few lines on what the page shows: the two tokens, the fused prediction, the teacher line.
export function Intro() {
  return (
    <section className="intro" aria-label="What you are seeing">
      <p>
        A small vision transformer (the <strong>student</strong>) learns Fashion-MNIST with two extra tokens, as in DeiT
        (Touvron et al., 2020). The <strong>class token</strong>’s head learns from the labels; the <strong>distillation token</strong>’s
        head learns from a CNN <strong>teacher</strong>: its softened probabilities (soft) or its top guess (hard).
        <strong> Fused</strong> averages both heads, DeiT’s prediction at test time. The dashed line is the teacher’s accuracy.
        Sweep the three modes with one seed to see the paper’s ordering appear: on short budgets, hard &gt; soft &gt; none.
      </p>
    </section>
  );
}
