// A time-series chart on uPlot: the average per bucket as a filled line, and optionally the disk
// forecast as a dashed line to "full". The x axis runs over the chosen range and, when there is a
// forecast, on into the future by half the range so the line's slope is visible.
import uPlot from 'uplot';
import type { Forecast, Series } from './types.js';

export interface ChartStyle {
  color: string;
  /** Values on the y axis and in the legend. */
  format: (value: number) => string;
  /** Fixed y range (percent charts: 0..100); else from 0 to the data's top. */
  yMax?: number;
}

const FORECAST_COLOR = '#d32f2f';

/** uPlot's aligned data: x in seconds, the series' averages, the forecast line (nulls elsewhere). */
export function chartData(series: Series, forecast: Forecast | null | undefined): uPlot.AlignedData {
  const xs: number[] = [];
  const ys: (number | null)[] = [];
  const fs: (number | null)[] = [];
  for (const [ts, avg] of series.points) {
    xs.push(ts / 1000);
    ys.push(avg);
    fs.push(null);
  }
  const line = forecast?.line;
  if (line && line.length === 2) {
    const [[at, v0], [fullAt, v1]] = line as [[number, number], [number, number]];
    // Shown up to half a range ahead; past that the line is cut where the view ends.
    const until = Math.min(fullAt, series.to + (series.to - series.from) / 2);
    const vEnd = fullAt === at ? v1 : v0 + ((v1 - v0) * (until - at)) / (fullAt - at);
    for (const [t, v] of [
      [at, v0],
      [until, vEnd],
    ] as const) {
      const x = t / 1000;
      let i = xs.findIndex((e) => e >= x);
      if (i === -1) i = xs.length;
      xs.splice(i, 0, x);
      ys.splice(i, 0, null);
      fs.splice(i, 0, v);
    }
  }
  return [xs, ys, fs];
}

export class TimeChart {
  private plot: uPlot | null = null;
  private xRange: [number, number] = [0, 1];
  private readonly observer: ResizeObserver;

  constructor(
    private readonly box: HTMLElement,
    private readonly style: ChartStyle,
    private readonly height = 180,
  ) {
    this.observer = new ResizeObserver(() => {
      if (this.plot) this.plot.setSize({ width: this.width(), height: this.height });
    });
    this.observer.observe(box);
  }

  private width(): number {
    return Math.max(200, Math.floor(this.box.clientWidth));
  }

  /** Draws the series (creating the chart the first time, replacing its data after). */
  draw(series: Series, forecast?: Forecast | null): void {
    const data = chartData(series, forecast);
    const xs = data[0];
    const last = xs.length > 0 ? (xs[xs.length - 1] as number) : 0;
    this.xRange = [series.from / 1000, Math.max(series.to / 1000, last)];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    const { color, format, yMax } = this.style;
    const options: uPlot.Options = {
      width: this.width(),
      height: this.height,
      padding: [8, 8, 0, 0],
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: true, range: () => this.xRange },
        y: { range: (_u, _min, max) => [0, yMax ?? niceTop(max)] },
      },
      axes: [
        { stroke: '#5f6b7a', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#e2e7ee' }, font: '11px system-ui' },
        {
          stroke: '#5f6b7a',
          grid: { stroke: '#eef1f5' },
          ticks: { show: false },
          font: '11px system-ui',
          size: 62,
          values: (_u, values) => values.map((v) => format(v)),
        },
      ],
      series: [
        {},
        { label: 'value', stroke: color, width: 1.6, fill: `${color}1f`, points: { show: false } },
        {
          label: 'forecast',
          stroke: FORECAST_COLOR,
          width: 1.6,
          dash: [6, 5],
          spanGaps: true,
          points: { show: false },
        },
      ],
    };
    this.plot = new uPlot(options, data, this.box);
    this.box.dataset.drawn = 'true';
  }

  destroy(): void {
    this.observer.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }
}

/** A round top for the y axis a little above the highest value. */
function niceTop(max: number | null): number {
  if (max === null || !Number.isFinite(max) || max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil((max * 1.1) / step) * step;
}
