// Seven days of closing prices as a line, drawn with SVG attributes only
// (S24 allows no style attributes); its colour says which way the week went.
export function Sparkline({ points, label }: { points: readonly number[]; label: string }) {
  if (points.length < 2) return <span className="sparkline-empty">–</span>;
  const low = Math.min(...points);
  const high = Math.max(...points);
  const span = high - low || 1;
  const width = 100;
  const height = 30;
  const step = width / (points.length - 1);
  const path = points
    .map((value, index) => {
      const x = (index * step).toFixed(2);
      const y = (height - 2 - ((value - low) / span) * (height - 4)).toFixed(2);
      return `${index === 0 ? 'M' : 'L'}${x} ${y}`;
    })
    .join(' ');
  const first = points[0] ?? 0;
  const last = points[points.length - 1] ?? 0;
  const way = last > first ? 'up' : last < first ? 'down' : 'flat';
  return (
    <svg
      className={`sparkline sparkline-${way}`}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      <path d={`${path} L${width} ${height} L0 ${height} Z`} className="sparkline-area" />
      <path d={path} className="sparkline-line" vectorEffect="non-scaling-stroke" fill="none" />
    </svg>
  );
}
