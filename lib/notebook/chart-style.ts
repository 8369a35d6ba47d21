/** Colours and layout pieces shared by the result charts, so a strategy keeps its colour from chart to chart. */

/** plotly's default colour cycle (D3 category10). */
export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"] as const;

export function colorAt(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/** One colour per name, in order of first appearance. */
export function colorsFor(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of names) if (!out.has(n)) out.set(n, colorAt(out.size));
  return out;
}

/** plotly's axis names for subplot k (0-based): "x", "x2", ... and the layout keys "xaxis", "xaxis2", ... */
export function axisId(letter: "x" | "y", k: number): string {
  return k === 0 ? letter : `${letter}${k + 1}`;
}
export function axisKey(letter: "x" | "y", k: number): string {
  return `${letter}axis${k === 0 ? "" : k + 1}`;
}

export const MARGIN = { t: 50, r: 20, l: 70, b: 50 };

export function title(text: string): { text: string; font: { size: number } } {
  return { text, font: { size: 15 } };
}
