//! Charts drawn on the server as SVG, each with the table of its data.
//!
//! The geometry is worked out here, in plain numbers; the markup lives in
//! `templates/charts/{line,bars,radar}.html`, so every label (partner names among them) goes
//! through askama's HTML escaping. Each SVG is 320 user units wide with 12-unit text, so it
//! stays readable on a 320 px phone, and scales to its box (`.chart` in `app.css`).
//!
//! Two partners are told apart by colour (the Okabe–Ito blue and vermillion/orange) *and*
//! by shape: solid line and circles for the first series, dashed line and squares for the
//! second, dotted line and diamonds for a third; bars are filled, hatched and outlined.
//! The chart is one image to assistive technology (`role="img"`, named by its `<title>` and
//! `<desc>`); the numbers themselves reach screen readers through the page's table, built
//! from [`ChartTable`].

use askama::Template;
use std::f64::consts::PI;

/// Width of every chart's viewBox, in user units.
const WIDTH: f64 = 320.0;
/// Text size in user units (the root `font-size`): 12 at 320 wide is 12 px on a 320 px phone.
const FONT: f64 = 12.0;
/// The average advance of a system-ui glyph at `FONT` (lower case, about half the size), to
/// judge what fits.
const CHAR_W: f64 = 6.0;
/// Distance between baselines of a wrapped label.
const LINE_H: f64 = 14.0;
/// Height of one legend row.
const LEGEND_ROW: f64 = 18.0;
/// More x labels than this and only every other (or every third…) one is written.
const MAX_X_LABELS: usize = 8;
/// Lines a wrapped x or axis label may take.
const LABEL_LINES: usize = 2;
/// Bars count things; beyond this the numbers stop meaning anything and would overflow.
const BAR_LIMIT: f64 = 1e12;

/// One named row of values: a partner, or "together". `None` is a gap: nothing was recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

impl Series {
    pub fn new(label: impl Into<String>, values: Vec<Option<f64>>) -> Self {
        Series { label: label.into(), values }
    }

    /// The same series with NaN and infinities read as gaps.
    fn cleaned(self) -> Self {
        let values = self.values.into_iter().map(|v| v.filter(|x| x.is_finite())).collect();
        Series { label: self.label, values }
    }

    fn at(&self, i: usize) -> Option<f64> {
        self.values.get(i).copied().flatten()
    }
}

/// The data of a chart, for the table a page puts beside it: one row per x label, category
/// or axis, one column per series (in the order of the legend). A cell is `None` where
/// nothing was recorded; the page chooses the words for that ("no entry", "–").
#[derive(Debug, Clone, PartialEq)]
pub struct ChartTable {
    pub columns: Vec<String>,
    pub rows: Vec<ChartRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartRow {
    pub label: String,
    pub cells: Vec<Option<String>>,
}

fn table(labels: &[String], series: &[Series]) -> ChartTable {
    ChartTable {
        columns: series.iter().map(|s| s.label.clone()).collect(),
        rows: labels
            .iter()
            .enumerate()
            .map(|(i, label)| ChartRow {
                label: label.clone(),
                cells: series.iter().map(|s| s.at(i).map(fmt_num)).collect(),
            })
            .collect(),
    }
}

/// A line per series over labelled x positions (weeks, months), on a fixed y range.
#[derive(Debug, Clone)]
pub struct LineChart {
    id: String,
    title: String,
    desc: String,
    x_labels: Vec<String>,
    y_min: f64,
    y_max: f64,
    y_ticks: Vec<f64>,
    series: Vec<Series>,
}

/// Grouped bars from zero, one bar per series in each category, with whole-number ticks.
#[derive(Debug, Clone)]
pub struct BarChart {
    id: String,
    title: String,
    desc: String,
    categories: Vec<String>,
    series: Vec<Series>,
}

/// A polygon per series over axes spread round a circle, from 0 at the centre to `max`.
#[derive(Debug, Clone)]
pub struct RadarChart {
    id: String,
    title: String,
    desc: String,
    axes: Vec<String>,
    max: f64,
    rings: Vec<f64>,
    series: Vec<Series>,
}

impl LineChart {
    /// `x_labels` set the x positions: values past them are ignored, missing ones are gaps.
    /// Values outside `y_min..=y_max` are drawn at the edge; ticks outside it are dropped
    /// (none left: the two ends are the ticks).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        desc: impl Into<String>,
        x_labels: Vec<String>,
        y_min: f64,
        y_max: f64,
        y_ticks: Vec<f64>,
        series: Vec<Series>,
    ) -> Self {
        let (y_min, y_max) = range(y_min, y_max);
        LineChart {
            id: clean_id(id.into()),
            title: title.into(),
            desc: desc.into(),
            x_labels,
            y_min,
            y_max,
            y_ticks,
            series: series.into_iter().map(Series::cleaned).collect(),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// The SVG markup, for `{{ chart.svg()|safe }}`. Empty if the template failed.
    pub fn svg(&self) -> String {
        render(&self.view())
    }

    pub fn table(&self) -> ChartTable {
        table(&self.x_labels, &self.series)
    }

    fn view(&self) -> LineView {
        let (legend, legend_h) = legend(&self.series);
        let span = self.y_max - self.y_min;
        let mut ticks: Vec<f64> = self
            .y_ticks
            .iter()
            .copied()
            .filter(|t| t.is_finite() && *t >= self.y_min - span * 1e-9 && *t <= self.y_max + span * 1e-9)
            .collect();
        if ticks.is_empty() {
            ticks = vec![self.y_min, self.y_max];
        }
        let tick_texts: Vec<String> = ticks.iter().map(|t| fmt_num(*t)).collect();
        let left = y_label_margin(&tick_texts);
        let x = XAxis::new(&self.x_labels, left, 16.0);
        let top = legend_h + 10.0;
        let plot_h = 150.0;
        let bottom = top + plot_h;
        let y_of = |v: f64| bottom - (v.clamp(self.y_min, self.y_max) - self.y_min) / span * plot_h;

        let grid = ticks
            .iter()
            .zip(tick_texts)
            .map(|(t, text)| {
                let y = r1(y_of(*t));
                Tick { y, text, text_x: r1(left - 6.0), text_y: r1(y + 4.0) }
            })
            .collect();
        let series = self
            .series
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let style = Style::of(k);
                let mut path = String::new();
                let mut markers = Vec::new();
                let mut pen_down = false;
                for i in 0..x.n {
                    match s.at(i) {
                        Some(v) => {
                            let (px, py) = (r1(x.centre(i)), r1(y_of(v)));
                            if !path.is_empty() {
                                path.push(' ');
                            }
                            path.push_str(&format!("{}{px} {py}", if pen_down { 'L' } else { 'M' }));
                            pen_down = true;
                            markers.push(Marker::new(style.shape, px, py, 3.5));
                        }
                        None => pen_down = false,
                    }
                }
                LineSeries { class: style.class, path, markers }
            })
            .collect();
        let labels = x.labels(bottom);
        let height = bottom + 6.0 + x.lines as f64 * LINE_H + 6.0;
        LineView {
            id: self.id.clone(),
            title: self.title.clone(),
            desc: self.desc.clone(),
            height: r1(height),
            left: r1(left),
            right: r1(x.right),
            bottom: r1(bottom),
            legend,
            grid,
            labels,
            series,
        }
    }
}

impl BarChart {
    /// `categories` set the groups: values past them are ignored, missing ones draw no
    /// bar. Negative values are drawn as 0; the y axis runs from 0 to a round number ≥ 1.
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        desc: impl Into<String>,
        categories: Vec<String>,
        series: Vec<Series>,
    ) -> Self {
        BarChart {
            id: clean_id(id.into()),
            title: title.into(),
            desc: desc.into(),
            categories,
            series: series.into_iter().map(Series::cleaned).collect(),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// The SVG markup, for `{{ chart.svg()|safe }}`. Empty if the template failed.
    pub fn svg(&self) -> String {
        render(&self.view())
    }

    pub fn table(&self) -> ChartTable {
        table(&self.categories, &self.series)
    }

    fn view(&self) -> BarView {
        let (legend, legend_h) = legend(&self.series);
        let n = self.categories.len();
        let data_max =
            self.series.iter().flat_map(|s| (0..n).filter_map(|i| s.at(i))).fold(0.0_f64, f64::max).min(BAR_LIMIT);
        let (top_value, step) = nice_max(data_max);
        let steps = (top_value / step).round() as usize;
        let tick_values: Vec<f64> = (0..=steps).map(|k| k as f64 * step).collect();
        let tick_texts: Vec<String> = tick_values.iter().map(|t| fmt_num(*t)).collect();
        let left = y_label_margin(&tick_texts);
        let x = XAxis::new(&self.categories, left, 12.0);
        let top = legend_h + 10.0;
        let plot_h = 150.0;
        let bottom = top + plot_h;
        let y_of = |v: f64| bottom - v.clamp(0.0, top_value) / top_value * plot_h;

        let grid = tick_values
            .iter()
            .zip(tick_texts)
            .map(|(t, text)| {
                let y = r1(y_of(*t));
                Tick { y, text, text_x: r1(left - 6.0), text_y: r1(y + 4.0) }
            })
            .collect();
        let count = self.series.len().max(1) as f64;
        let group_w = (x.slot * 0.72).min(count * 28.0);
        let bar_w = group_w / count;
        let mut bars = Vec::new();
        for (k, s) in self.series.iter().enumerate() {
            let style = Style::of(k);
            for i in 0..n {
                if let Some(v) = s.at(i) {
                    let y = y_of(v);
                    let bx = x.centre(i) - group_w / 2.0 + k as f64 * bar_w;
                    bars.push(Bar {
                        class: style.class,
                        hatched: style.hatched,
                        // A hair of space between neighbouring bars, never a negative width.
                        x: r1(bx + 0.5),
                        y: r1(y),
                        w: r1((bar_w - 1.0).max(0.5)),
                        h: r1(bottom - y),
                    });
                }
            }
        }
        let labels = x.labels(bottom);
        let height = bottom + 6.0 + x.lines as f64 * LINE_H + 6.0;
        BarView {
            id: self.id.clone(),
            title: self.title.clone(),
            desc: self.desc.clone(),
            height: r1(height),
            left: r1(left),
            right: r1(x.right),
            bottom: r1(bottom),
            legend,
            grid,
            labels,
            bars,
        }
    }
}

/// Radius of the outer ring.
const RADAR_R: f64 = 72.0;
/// Gap between the outer ring and the axis labels.
const RADAR_LABEL_GAP: f64 = 8.0;

impl RadarChart {
    /// `axes` go clockwise from the top. Values are clamped to `0..=max`; a missing value
    /// sits at the centre so the polygon stays closed. `rings` are the values to draw
    /// reference rings at (the outer ring, at `max`, is always drawn); a ring's number is
    /// written only where it has room, so `[1,2,…,7]` reads as fine as `[1,4,7]`.
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        desc: impl Into<String>,
        axes: Vec<String>,
        max: f64,
        rings: Vec<f64>,
        series: Vec<Series>,
    ) -> Self {
        let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
        RadarChart {
            id: clean_id(id.into()),
            title: title.into(),
            desc: desc.into(),
            axes,
            max,
            rings,
            series: series.into_iter().map(Series::cleaned).collect(),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// The SVG markup, for `{{ chart.svg()|safe }}`. Empty if the template failed.
    pub fn svg(&self) -> String {
        render(&self.view())
    }

    pub fn table(&self) -> ChartTable {
        table(&self.axes, &self.series)
    }

    fn view(&self) -> RadarView {
        let (legend, legend_h) = legend(&self.series);
        let n = self.axes.len();
        let cx = WIDTH / 2.0;
        let cy = legend_h + 4.0 + LABEL_LINES as f64 * LINE_H + RADAR_LABEL_GAP + RADAR_R;
        let angle = |i: usize| -PI / 2.0 + i as f64 * 2.0 * PI / n.max(1) as f64;
        let at = |i: usize, r: f64| (cx + r * angle(i).cos(), cy + r * angle(i).sin());
        let polygon = |r: f64| points((0..n).map(|i| at(i, r)));

        let mut ring_values: Vec<f64> =
            self.rings.iter().copied().filter(|r| r.is_finite() && *r > 0.0 && *r < self.max).collect();
        ring_values.push(self.max);
        // Outer ring first: its number, the top of the scale, is always written.
        ring_values.sort_by(|a, b| b.total_cmp(a));
        ring_values.dedup();
        let mut last_labelled = f64::INFINITY;
        let rings = ring_values
            .iter()
            .map(|v| {
                let r = v / self.max * RADAR_R;
                // A ring's number sits just inside it, right of the top spoke, if it clears
                // the last number written and the centre.
                let label = (last_labelled - r >= LINE_H && r >= 10.0).then(|| {
                    last_labelled = r;
                    fmt_num(*v)
                });
                Ring { r: r1(r), points: polygon(r), label, label_y: r1(cy - r + 11.0) }
            })
            .collect();
        let spokes = (0..n)
            .map(|i| {
                let (x, y) = at(i, RADAR_R);
                Spoke { x: r1(x), y: r1(y) }
            })
            .collect();
        let labels = self
            .axes
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let (cos, sin) = (angle(i).cos(), angle(i).sin());
                let (px, py) = at(i, RADAR_R + RADAR_LABEL_GAP);
                let (anchor, room) = if cos > 0.1 {
                    ("start", WIDTH - px - 4.0)
                } else if cos < -0.1 {
                    ("end", px - 4.0)
                } else {
                    ("middle", 2.0 * px.min(WIDTH - px) - 8.0)
                };
                let lines = wrap(text, chars_in(room), LABEL_LINES);
                let k = lines.len().max(1) as f64;
                let first = if sin < -0.9 {
                    py - (k - 1.0) * LINE_H
                } else if sin > 0.9 {
                    py + FONT * 0.8
                } else {
                    py - (k - 1.0) * LINE_H / 2.0 + FONT * 0.35 + sin * 4.0
                };
                Label::new(px, first, anchor, lines)
            })
            .collect();
        let series = self
            .series
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let style = Style::of(k);
                let mut markers = Vec::new();
                let corners = (0..n).map(|i| match s.at(i) {
                    Some(v) => {
                        let (x, y) = at(i, v.clamp(0.0, self.max) / self.max * RADAR_R);
                        markers.push(Marker::new(style.shape, r1(x), r1(y), 3.5));
                        (x, y)
                    }
                    None => (cx, cy),
                });
                let points = points(corners);
                RadarSeries { class: style.class, points, markers }
            })
            .collect();
        let height = cy + RADAR_R + RADAR_LABEL_GAP + LABEL_LINES as f64 * LINE_H + 6.0;
        RadarView {
            id: self.id.clone(),
            title: self.title.clone(),
            desc: self.desc.clone(),
            height: r1(height),
            cx: r1(cx),
            cy: r1(cy),
            tick_x: r1(cx + 4.0),
            polygons: n >= 3,
            legend,
            rings,
            spokes,
            labels,
            series,
        }
    }
}

// ---- Views: what the templates draw, every number already worked out ----

#[derive(Template)]
#[template(path = "charts/line.html")]
struct LineView {
    id: String,
    title: String,
    desc: String,
    height: f64,
    left: f64,
    right: f64,
    bottom: f64,
    legend: Vec<LegendItem>,
    grid: Vec<Tick>,
    labels: Vec<Label>,
    series: Vec<LineSeries>,
}

#[derive(Template)]
#[template(path = "charts/bars.html")]
struct BarView {
    id: String,
    title: String,
    desc: String,
    height: f64,
    left: f64,
    right: f64,
    bottom: f64,
    legend: Vec<LegendItem>,
    grid: Vec<Tick>,
    labels: Vec<Label>,
    bars: Vec<Bar>,
}

#[derive(Template)]
#[template(path = "charts/radar.html")]
struct RadarView {
    id: String,
    title: String,
    desc: String,
    height: f64,
    cx: f64,
    cy: f64,
    /// Where ring numbers start: just right of the top spoke.
    tick_x: f64,
    /// Rings as polygons from three axes up; as circles below that.
    polygons: bool,
    legend: Vec<LegendItem>,
    rings: Vec<Ring>,
    spokes: Vec<Spoke>,
    labels: Vec<Label>,
    series: Vec<RadarSeries>,
}

fn render(view: &impl Template) -> String {
    view.render().unwrap_or_else(|e| {
        tracing::warn!(error = %e, "chart failed to render");
        String::new()
    })
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Circle,
    Square,
    Diamond,
}

/// How series `k` looks: its CSS class (colour and dashes) and its marker.
struct Style {
    class: &'static str,
    shape: Shape,
    hatched: bool,
}

impl Style {
    fn of(k: usize) -> Style {
        match k % 3 {
            0 => Style { class: "chart-a", shape: Shape::Circle, hatched: false },
            1 => Style { class: "chart-b", shape: Shape::Square, hatched: true },
            _ => Style { class: "chart-c", shape: Shape::Diamond, hatched: false },
        }
    }
}

struct Marker {
    shape: Shape,
    cx: f64,
    cy: f64,
    /// Top-left corner and side of a square.
    x: f64,
    y: f64,
    size: f64,
    /// The corners of a diamond.
    points: String,
}

impl Marker {
    fn new(shape: Shape, cx: f64, cy: f64, r: f64) -> Marker {
        // A square and a diamond of the circle's area look the same weight.
        let half = r * 0.89;
        let d = r * 1.25;
        Marker {
            shape,
            cx,
            cy,
            x: r1(cx - half),
            y: r1(cy - half),
            size: r1(2.0 * half),
            points: points([(cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy)].into_iter()),
        }
    }
}

struct LegendItem {
    class: &'static str,
    hatched: bool,
    label: String,
    /// A line chart's swatch runs from `x` to `x2` at height `mid`, a marker on it; a bar
    /// chart's is a 16×12 box from (`box_x`, `box_y`).
    x: f64,
    x2: f64,
    mid: f64,
    box_x: f64,
    box_y: f64,
    text_x: f64,
    text_y: f64,
    marker: Marker,
}

/// The legend's items, on one row when every label fits its share of the width, else one
/// per row; and the height it takes.
fn legend(series: &[Series]) -> (Vec<LegendItem>, f64) {
    if series.is_empty() {
        return (Vec::new(), 0.0);
    }
    let swatch = 22.0 + 6.0;
    let col_w = WIDTH / series.len() as f64;
    let one_row = series.iter().all(|s| s.label.chars().count() as f64 * CHAR_W <= col_w - swatch - 10.0);
    let items = series
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let style = Style::of(k);
            let (x, row) = if one_row { (k as f64 * col_w + 4.0, 0.0) } else { (4.0, k as f64) };
            let mid = r1(row * LEGEND_ROW + LEGEND_ROW / 2.0 + 1.0);
            let room = if one_row { col_w - swatch - 10.0 } else { WIDTH - swatch - 10.0 };
            LegendItem {
                class: style.class,
                hatched: style.hatched,
                label: truncate(&s.label, chars_in(room)),
                x: r1(x),
                x2: r1(x + 22.0),
                mid,
                box_x: r1(x + 3.0),
                box_y: r1(mid - 6.0),
                text_x: r1(x + swatch),
                text_y: r1(mid + 4.0),
                marker: Marker::new(style.shape, r1(x + 11.0), mid, 3.5),
            }
        })
        .collect();
    let rows = if one_row { 1.0 } else { series.len() as f64 };
    (items, rows * LEGEND_ROW + 4.0)
}

struct Tick {
    y: f64,
    text: String,
    text_x: f64,
    text_y: f64,
}

/// Text of one or more lines; `lines[i]` has its baseline at `y + i * LINE_H`.
struct Label {
    x: f64,
    anchor: &'static str,
    lines: Vec<LabelLine>,
}

struct LabelLine {
    y: f64,
    text: String,
}

impl Label {
    fn new(x: f64, first_baseline: f64, anchor: &'static str, lines: Vec<String>) -> Label {
        let lines = lines
            .into_iter()
            .enumerate()
            .map(|(i, text)| LabelLine { y: r1(first_baseline + i as f64 * LINE_H), text })
            .collect();
        Label { x: r1(x), anchor, lines }
    }
}

struct LineSeries {
    class: &'static str,
    /// SVG path data; each run of values between gaps is its own `M…L…` piece.
    path: String,
    markers: Vec<Marker>,
}

struct Bar {
    class: &'static str,
    hatched: bool,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

struct Ring {
    r: f64,
    points: String,
    label: Option<String>,
    label_y: f64,
}

struct Spoke {
    x: f64,
    y: f64,
}

struct RadarSeries {
    class: &'static str,
    points: String,
    markers: Vec<Marker>,
}

/// The x axis of line and bar charts: `n` equal slots between `left` and `right`, a point
/// or group in the middle of each.
struct XAxis {
    n: usize,
    left: f64,
    right: f64,
    slot: f64,
    /// The written labels, wrapped: every `label_step`-th one, counting back from the last
    /// (the latest week matters most).
    wrapped: Vec<Option<Vec<String>>>,
    /// Lines the tallest written label takes (at least one, to keep the height steady).
    lines: usize,
}

impl XAxis {
    fn new(labels: &[String], left: f64, right_margin: f64) -> XAxis {
        let n = labels.len();
        let right = WIDTH - right_margin;
        let slot = (right - left) / n.max(1) as f64;
        let step = label_step(n);
        let room = slot * step as f64 - 4.0;
        let wrapped: Vec<Option<Vec<String>>> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (n - 1 - i).is_multiple_of(step).then(|| wrap(l, chars_in(room), LABEL_LINES)))
            .collect();
        let lines = wrapped.iter().flatten().map(Vec::len).max().unwrap_or(1).max(1);
        XAxis { n, left, right, slot, wrapped, lines }
    }

    fn centre(&self, i: usize) -> f64 {
        self.left + (i as f64 + 0.5) * self.slot
    }

    fn labels(&self, bottom: f64) -> Vec<Label> {
        self.wrapped
            .iter()
            .enumerate()
            .filter_map(|(i, w)| {
                w.as_ref().map(|lines| Label::new(self.centre(i), bottom + 6.0 + FONT * 0.8, "middle", lines.clone()))
            })
            .collect()
    }
}

/// 1 up to eight labels, then 2 up to sixteen, and so on: never more than eight written.
fn label_step(n: usize) -> usize {
    n.div_ceil(MAX_X_LABELS).max(1)
}

/// Room left of the plot for the longest y tick label.
fn y_label_margin(texts: &[String]) -> f64 {
    let longest = texts.iter().map(|t| t.chars().count()).max().unwrap_or(1);
    (longest as f64 * CHAR_W + 10.0).max(24.0)
}

/// How many characters fit in `width` user units (at least three: "ab…").
fn chars_in(width: f64) -> usize {
    if width.is_finite() && width > 0.0 { ((width / CHAR_W).floor() as usize).max(3) } else { 3 }
}

/// `s` cut to `max` characters, the last one an ellipsis when something was cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Words of `s` filled greedily into at most `max_lines` lines of `width` characters; a word
/// too long for a line, or text past the last line, ends in an ellipsis.
fn wrap(s: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut cut = false;
    for word in s.split_whitespace() {
        let len = current.chars().count();
        let word_len = word.chars().count();
        if len == 0 {
            current = truncate(word, width);
        } else if len + 1 + word_len <= width {
            current.push(' ');
            current.push_str(word);
        } else {
            lines.push(std::mem::take(&mut current));
            if lines.len() == max_lines {
                cut = true;
                break;
            }
            current = truncate(word, width);
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if cut && let Some(last) = lines.last_mut() {
        let mut kept: String = last.chars().take(width.saturating_sub(1)).collect();
        kept.push('…');
        *last = kept;
    }
    lines
}

/// A y range that can be drawn: finite, low below high.
fn range(lo: f64, hi: f64) -> (f64, f64) {
    let lo = if lo.is_finite() { lo } else { 0.0 };
    let hi = if hi.is_finite() { hi } else { lo + 1.0 };
    match lo.total_cmp(&hi) {
        std::cmp::Ordering::Less => (lo, hi),
        std::cmp::Ordering::Greater => (hi, lo),
        std::cmp::Ordering::Equal => (lo, lo + 1.0),
    }
}

/// The top of a bar chart's y axis and its tick step: a whole step (1, 2, 5, 10, 20, …)
/// giving at most five steps, and a top of at least 1.
fn nice_max(max: f64) -> (f64, f64) {
    let max = if max.is_finite() { max.max(1.0) } else { 1.0 };
    let mut step = 1.0;
    let mut mag = 1.0;
    while (max / step).ceil() > 5.0 {
        step = if step == mag {
            2.0 * mag
        } else if step == 2.0 * mag {
            5.0 * mag
        } else {
            mag *= 10.0;
            mag
        };
    }
    ((max / step).ceil() * step, step)
}

/// `12`, `4.5`, `3.25`: at most two decimals, none trailing.
fn fmt_num(v: f64) -> String {
    let s = format!("{:.2}", v + 0.0);
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

/// One decimal is finer than a pixel; a shorter file. `+ 0.0` turns -0 into 0.
fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0 + 0.0
}

/// `x,y x,y …` for a polygon's `points`.
fn points(corners: impl Iterator<Item = (f64, f64)>) -> String {
    corners.map(|(x, y)| format!("{},{}", r1(x), r1(y))).collect::<Vec<_>>().join(" ")
}

/// Ids go into `id` attributes and `url(#…)` references: keep them to letters, digits, `-`
/// and `_`, starting with a letter.
fn clean_id(id: String) -> String {
    let cleaned: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if cleaned.starts_with(|c: char| c.is_ascii_alphabetic()) { cleaned } else { format!("chart-{cleaned}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String {
        v.to_string()
    }

    fn weeks(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("W{i}")).collect()
    }

    fn some(values: &[f64]) -> Vec<Option<f64>> {
        values.iter().map(|v| Some(*v)).collect()
    }

    fn line(series: Vec<Series>, labels: Vec<String>) -> LineChart {
        LineChart::new(
            "mood",
            "Closeness by week",
            "How close each of you felt.",
            labels,
            1.0,
            7.0,
            vec![1.0, 4.0, 7.0],
            series,
        )
    }

    fn bars(series: Vec<Series>, categories: Vec<String>) -> BarChart {
        BarChart::new("kinds", "Appreciations", "Appreciations by kind.", categories, series)
    }

    fn radar(series: Vec<Series>, axes: Vec<String>) -> RadarChart {
        RadarChart::new(
            "map",
            "Our intimacy map",
            "Where each of you feels close.",
            axes,
            7.0,
            vec![1.0, 4.0, 7.0],
            series,
        )
    }

    fn six_axes() -> Vec<String> {
        ["Emotional", "Physical", "Intellectual", "Experiential", "Spiritual", "Recreational"].map(s).to_vec()
    }

    fn two(a: Vec<Option<f64>>, b: Vec<Option<f64>>) -> Vec<Series> {
        vec![Series::new("Alex", a), Series::new("Sam", b)]
    }

    /// Opening and closing tags pair up, one `<svg>` holds everything, no NaN, and the
    /// accessible name is wired.
    fn assert_well_formed(svg: &str) {
        assert_eq!(svg.matches("<svg").count(), 1, "{svg}");
        assert_eq!(svg.matches("</svg>").count(), 1, "{svg}");
        assert!(svg.trim_start().starts_with("<svg"), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert!(!svg.contains("style="), "inline styles break the CSP: {svg}");
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(open) = rest.find('<') {
            let close = rest[open..].find('>').map(|c| open + c).expect("a tag ends");
            let tag = &rest[open + 1..close];
            assert!(!tag.contains('<'), "a `<` inside a tag: {tag}");
            let name = |t: &str| t.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("").to_string();
            if let Some(closing) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name(closing).as_str()), "in {svg}");
            } else if !tag.ends_with('/') {
                stack.push(name(tag));
            }
            rest = &rest[close + 1..];
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        assert!(!rest.contains('>'), "a stray `>` after the last tag");
    }

    fn assert_accessible(svg: &str, id: &str, title: &str, desc: &str) {
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(&format!(r#"aria-labelledby="{id}-title {id}-desc""#)), "{svg}");
        assert!(svg.contains(&format!(r#"<title id="{id}-title">{title}</title>"#)), "{svg}");
        assert!(svg.contains(&format!(r#"<desc id="{id}-desc">{desc}</desc>"#)), "{svg}");
        assert!(svg.contains(r#"viewBox="0 0 320 "#), "{svg}");
        assert!(svg.contains(r#"font-size="12""#), "{svg}");
    }

    fn count(svg: &str, needle: &str) -> usize {
        svg.matches(needle).count()
    }

    #[test]
    fn line_chart_renders_accessible_svg_with_a_legend() {
        let chart = line(two(some(&[3.0, 4.0, 5.0]), some(&[6.0, 5.0, 4.5])), weeks(3));
        let svg = chart.svg();
        assert_well_formed(&svg);
        assert_accessible(&svg, "mood", "Closeness by week", "How close each of you felt.");
        assert!(svg.contains(">Alex</text>") && svg.contains(">Sam</text>"), "{svg}");
        assert_eq!(count(&svg, r#"class="chart-point chart-a""#), 3);
        assert_eq!(count(&svg, r#"class="chart-point chart-b""#), 3);
        assert!(svg.contains(r#"class="chart-line chart-b""#));
        for w in ["W1", "W2", "W3"] {
            assert!(svg.contains(&format!(">{w}</tspan>")), "{svg}");
        }
        let t = chart.table();
        assert_eq!(t.columns, vec![s("Alex"), s("Sam")]);
        assert_eq!(t.rows[2].label, "W3");
        assert_eq!(t.rows[2].cells, vec![Some(s("5")), Some(s("4.5"))]);
    }

    #[test]
    fn gaps_break_the_line_and_draw_no_point() {
        let chart = line(vec![Series::new("Alex", vec![Some(2.0), None, Some(3.0), Some(4.0), None])], weeks(5));
        let view = chart.view();
        assert_eq!(view.series[0].markers.len(), 3);
        assert_eq!(view.series[0].path.matches('M').count(), 2, "{}", view.series[0].path);
        assert_eq!(view.series[0].path.matches('L').count(), 1, "{}", view.series[0].path);
        let svg = chart.svg();
        assert_well_formed(&svg);
        assert_eq!(count(&svg, "chart-point"), 3);
        assert_eq!(chart.table().rows[1].cells, vec![None]);
    }

    #[test]
    fn labels_are_escaped() {
        let evil = s("<script>alert(1)</script>");
        let line = line(vec![Series::new(evil.clone(), some(&[1.0]))], vec![evil.clone()]);
        let bars = bars(vec![Series::new(evil.clone(), some(&[1.0]))], vec![evil.clone()]);
        let radar = radar(vec![Series::new(evil.clone(), some(&[1.0, 2.0, 3.0]))], vec![evil.clone(), s("a"), s("b")]);
        let titled = LineChart::new("x", evil.clone(), evil.clone(), vec![], 0.0, 1.0, vec![], vec![]);
        for svg in [line.svg(), bars.svg(), radar.svg(), titled.svg()] {
            assert_well_formed(&svg);
            assert!(!svg.contains("<script"), "{svg}");
            assert!(svg.contains("&#60;script"), "{svg}");
        }
    }

    #[test]
    fn ids_cannot_break_out_of_their_attribute() {
        let chart = LineChart::new(r#"a" onload="x"#, "T", "D", vec![], 0.0, 1.0, vec![], vec![]);
        assert_eq!(chart.id(), "a--onload--x");
        assert!(chart.svg().contains(r#"id="a--onload--x-title""#));
        assert_eq!(BarChart::new("7 days", "T", "D", vec![], vec![]).id(), "chart-7-days");
    }

    #[test]
    fn many_x_labels_are_thinned_to_every_other_ending_on_the_last() {
        assert_eq!(label_step(0), 1);
        assert_eq!(label_step(8), 1);
        assert_eq!(label_step(9), 2);
        assert_eq!(label_step(12), 2);
        assert_eq!(label_step(17), 3);

        let eight = line(vec![], weeks(8)).view();
        assert_eq!(eight.labels.len(), 8);

        let chart = line(vec![Series::new("Alex", vec![Some(4.0); 12])], weeks(12));
        let view = chart.view();
        let written: Vec<&str> = view.labels.iter().map(|l| l.lines[0].text.as_str()).collect();
        assert_eq!(written, ["W2", "W4", "W6", "W8", "W10", "W12"]);
        // Still a point for every week.
        assert_eq!(view.series[0].markers.len(), 12);
        // No two written labels overlap, judged by their widest line.
        let width = |l: &Label| l.lines.iter().map(|t| t.text.chars().count()).max().unwrap_or(0) as f64 * CHAR_W;
        for pair in view.labels.windows(2) {
            assert!(pair[0].x + width(&pair[0]) / 2.0 < pair[1].x - width(&pair[1]) / 2.0);
        }
        for l in &view.labels {
            assert!(l.x - width(l) / 2.0 >= 0.0 && l.x + width(l) / 2.0 <= WIDTH);
        }
        let svg = chart.svg();
        assert_well_formed(&svg);
        assert!(!svg.contains(">W1</tspan>") && svg.contains(">W12</tspan>"));
        // The table keeps every week.
        assert_eq!(chart.table().rows.len(), 12);

        let months = ["January 2025", "February 2025", "March 2025", "April 2025"].map(s).to_vec();
        let twelve_long: Vec<String> = months.iter().cycle().take(12).cloned().collect();
        let view = line(vec![], twelve_long).view();
        for pair in view.labels.windows(2) {
            assert!(pair[0].x + width(&pair[0]) / 2.0 < pair[1].x - width(&pair[1]) / 2.0);
        }
        assert!(view.labels.iter().all(|l| l.lines.len() <= LABEL_LINES));
    }

    #[test]
    fn odd_line_inputs_draw_without_nan_or_panic() {
        let odd = vec![
            Series::new("Alex", vec![Some(f64::NAN), Some(f64::INFINITY), Some(-50.0), Some(99.0), None]),
            Series::new("Sam", vec![None; 5]),
            Series::new("Kim", vec![]),
        ];
        let cases = [
            line(odd.clone(), weeks(5)),
            line(vec![], vec![]),
            line(odd.clone(), vec![]),
            line(vec![Series::new("Alex", some(&[5.0]))], weeks(1)),
            LineChart::new("z", "T", "D", weeks(3), f64::NAN, f64::NEG_INFINITY, vec![f64::NAN], odd.clone()),
            LineChart::new("z", "T", "D", weeks(3), 5.0, 5.0, vec![], odd.clone()),
            LineChart::new("z", "T", "D", weeks(3), 7.0, 1.0, vec![1.0, 100.0], odd.clone()),
            line(odd.clone(), weeks(40)),
        ];
        for chart in cases {
            let svg = chart.svg();
            assert_well_formed(&svg);
            let view = chart.view();
            for p in view.series.iter().flat_map(|s| &s.markers) {
                assert!(p.cy >= view.bottom - 150.0 && p.cy <= view.bottom, "clamped: {}", p.cy);
            }
        }
        let view = line(odd, weeks(5)).view();
        // NaN and infinity are gaps; out-of-range values are clamped to the edges.
        assert_eq!(view.series[0].markers.len(), 2);
        assert_eq!(view.series[1].markers.len(), 0);
        assert_eq!(view.series[2].markers.len(), 0);
        assert_eq!(view.series[0].markers[0].cy, view.bottom);
        assert_eq!(view.series[0].markers[1].cy, view.bottom - 150.0);
    }

    #[test]
    fn bar_chart_renders_filled_and_hatched_bars_on_whole_ticks() {
        let chart = bars(
            two(some(&[3.0, 0.0, 7.0]), vec![Some(5.0), None, Some(2.0)]),
            ["Gratitude", "Respect", "Admiration"].map(s).to_vec(),
        );
        let svg = chart.svg();
        assert_well_formed(&svg);
        assert_accessible(&svg, "kinds", "Appreciations", "Appreciations by kind.");
        assert!(svg.contains(">Alex</text>") && svg.contains(">Sam</text>"), "{svg}");
        // Three bars (one of height 0) and the legend's box.
        assert_eq!(count(&svg, r#"class="chart-bar chart-a""#), 4);
        // Two bars and the legend swatch, all filled with this chart's hatching.
        assert_eq!(count(&svg, r#"fill="url(#kinds-hatch)""#), 3);
        assert!(svg.contains(r#"<pattern id="kinds-hatch""#));
        let view = chart.view();
        let ticks: Vec<&str> = view.grid.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(ticks, ["0", "2", "4", "6", "8"]);
        assert_eq!(chart.table().rows[1].cells, vec![Some(s("0")), None]);
    }

    #[test]
    fn bar_axis_tops_are_round_and_at_least_one() {
        assert_eq!(nice_max(0.0), (1.0, 1.0));
        assert_eq!(nice_max(0.3), (1.0, 1.0));
        assert_eq!(nice_max(3.0), (3.0, 1.0));
        assert_eq!(nice_max(5.0), (5.0, 1.0));
        assert_eq!(nice_max(5.5), (6.0, 2.0));
        assert_eq!(nice_max(11.0), (15.0, 5.0));
        assert_eq!(nice_max(42.0), (50.0, 10.0));
        assert_eq!(nice_max(101.0), (150.0, 50.0));
        assert_eq!(nice_max(f64::NAN), (1.0, 1.0));
        let (top, step) = nice_max(BAR_LIMIT);
        assert!(top >= BAR_LIMIT && top / step <= 5.0 && step.fract() == 0.0);
    }

    #[test]
    fn odd_bar_inputs_draw_without_nan_or_panic() {
        let odd = vec![
            Series::new("Alex", vec![Some(f64::NAN), Some(-3.0), Some(f64::MAX)]),
            Series::new("Sam", vec![None, None, None]),
        ];
        let cases = [
            bars(vec![], vec![]),
            bars(odd.clone(), vec![]),
            bars(odd.clone(), weeks(3)),
            bars(vec![Series::new("Alex", vec![])], weeks(2)),
            bars(vec![Series::new("Alex", some(&[1.0]))], weeks(1)),
            bars(odd.clone(), weeks(30)),
            bars(
                vec![Series::new("A", some(&[1.0])), Series::new("B", some(&[2.0])), Series::new("C", some(&[3.0]))],
                weeks(1),
            ),
        ];
        for chart in cases {
            let svg = chart.svg();
            assert_well_formed(&svg);
            for b in chart.view().bars {
                assert!(b.w > 0.0 && b.h >= 0.0 && b.y >= 0.0);
            }
        }
        let view = bars(odd, weeks(3)).view();
        assert_eq!(view.bars.len(), 2, "NaN is a gap, -3 a bar of 0, MAX a capped bar");
        let empty = bars(vec![Series::new("Alex", vec![None])], weeks(1)).view();
        assert_eq!(empty.grid.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(), ["0", "1"]);
    }

    #[test]
    fn radar_chart_renders_accessible_svg_with_a_legend() {
        let chart =
            radar(two(some(&[5.0, 6.0, 3.0, 4.0, 2.0, 7.0]), some(&[4.0, 6.5, 5.0, 3.0, 3.0, 6.0])), six_axes());
        let svg = chart.svg();
        assert_well_formed(&svg);
        assert_accessible(&svg, "map", "Our intimacy map", "Where each of you feels close.");
        assert!(svg.contains(">Alex</text>") && svg.contains(">Sam</text>"), "{svg}");
        assert!(svg.contains(r#"class="chart-line chart-area chart-a""#));
        assert!(svg.contains(r#"class="chart-line chart-area chart-b""#));
        assert_eq!(count(&svg, "chart-point"), 12);
        assert_eq!(chart.table().rows[5].cells, vec![Some(s("7")), Some(s("6"))]);
    }

    #[test]
    fn radar_points_lie_within_the_rings() {
        let values = [0.0, 1.0, 3.5, 7.0, 5.0, 6.9];
        let chart = radar(vec![Series::new("Alex", some(&values))], six_axes());
        let view = chart.view();
        let outer = view.rings.iter().map(|r| r.r).fold(0.0, f64::max);
        assert_eq!(outer, RADAR_R);
        for (m, v) in view.series[0].markers.iter().zip(values) {
            let d = (m.cx - view.cx).hypot(m.cy - view.cy);
            assert!(d <= outer + 0.2, "{d} beyond the outer ring");
            assert!((d - v / 7.0 * RADAR_R).abs() < 0.2, "{v} drawn at {d}");
        }
        // Out of range is clamped onto the scale; missing sits at the centre, unmarked.
        let odd = radar(
            vec![Series::new(
                "Alex",
                vec![Some(12.0), Some(-2.0), None, Some(f64::NAN), Some(3.0), Some(f64::INFINITY)],
            )],
            six_axes(),
        );
        let view = odd.view();
        assert_eq!(view.series[0].markers.len(), 3);
        for m in &view.series[0].markers {
            assert!((m.cx - view.cx).hypot(m.cy - view.cy) <= RADAR_R + 0.2);
        }
        assert_eq!(view.series[0].points.split(' ').count(), 6, "the polygon keeps every axis");
        assert!(view.series[0].points.contains(&format!("{},{}", view.cx, view.cy)));
        assert_well_formed(&odd.svg());
    }

    #[test]
    fn radar_labels_stay_inside_the_view_box() {
        let long = [
            "Emotional closeness",
            "Physical affection",
            "Intellectual",
            "Shared experiences",
            "Spiritual connection",
            "Play and recreation",
        ]
        .map(s)
        .to_vec();
        for axes in [six_axes(), long, weeks(3), weeks(4), weeks(5), weeks(8)] {
            let view = radar(vec![], axes).view();
            for l in &view.labels {
                let w = l.lines.iter().map(|t| t.text.chars().count()).max().unwrap_or(0) as f64 * CHAR_W;
                let (from, to) = match l.anchor {
                    "start" => (l.x, l.x + w),
                    "end" => (l.x - w, l.x),
                    _ => (l.x - w / 2.0, l.x + w / 2.0),
                };
                assert!(
                    from >= 0.0 && to <= WIDTH,
                    "{:?} spans {from}..{to}",
                    l.lines.iter().map(|t| &t.text).collect::<Vec<_>>()
                );
                for t in &l.lines {
                    assert!(t.y - FONT >= 0.0 && t.y + 4.0 <= view.height, "{} at {}", t.text, t.y);
                }
            }
        }
        let six = radar(vec![], six_axes()).view();
        let anchors: Vec<&str> = six.labels.iter().map(|l| l.anchor).collect();
        assert_eq!(anchors, ["middle", "start", "start", "middle", "end", "end"]);
    }

    #[test]
    fn odd_radar_inputs_draw_without_nan_or_panic() {
        let cases = [
            radar(vec![], vec![]),
            radar(vec![Series::new("Alex", some(&[1.0]))], vec![]),
            radar(vec![Series::new("Alex", some(&[1.0]))], weeks(1)),
            radar(two(vec![], vec![None, None]), weeks(2)),
            radar(two(vec![None; 6], vec![]), six_axes()),
            RadarChart::new(
                "r",
                "T",
                "D",
                six_axes(),
                f64::NAN,
                vec![f64::NAN, -1.0, 99.0],
                vec![Series::new("A", some(&[1.0; 6]))],
            ),
            RadarChart::new("r", "T", "D", six_axes(), 0.0, vec![], vec![]),
        ];
        for chart in cases {
            assert_well_formed(&chart.svg());
        }
    }

    #[test]
    fn ring_numbers_are_written_only_where_they_fit() {
        let all: Vec<f64> = (1..=7).map(f64::from).collect();
        let view = RadarChart::new("r", "T", "D", six_axes(), 7.0, all, vec![]).view();
        assert_eq!(view.rings.len(), 7);
        let labelled: Vec<&str> = view.rings.iter().filter_map(|r| r.label.as_deref()).collect();
        assert_eq!(labelled, ["7", "5", "3", "1"]);
    }

    #[test]
    fn legends_sit_on_one_row_when_names_fit_and_stack_otherwise() {
        let (items, h) = legend(&two(vec![], vec![]));
        assert_eq!(items[0].mid, items[1].mid);
        assert_eq!(h, LEGEND_ROW + 4.0);
        let long = vec![Series::new("Alexandra Konstantinopoulou", vec![]), Series::new("Sam", vec![])];
        let (items, h) = legend(&long);
        assert!(items[0].mid < items[1].mid);
        assert_eq!(h, 2.0 * LEGEND_ROW + 4.0);
        let (items, _) = legend(&[Series::new("x".repeat(200), vec![])]);
        assert!(
            items[0].label.ends_with('…') && items[0].text_x + items[0].label.chars().count() as f64 * CHAR_W <= WIDTH
        );
    }

    #[test]
    fn wrapping_and_numbers() {
        assert_eq!(wrap("Jan 2025", 4, 2), ["Jan", "2025"]);
        assert_eq!(wrap("Words of affirmation", 10, 2), ["Words of", "affirmati…"]);
        assert_eq!(wrap("one two three four", 7, 2), ["one two", "three…"]);
        assert_eq!(wrap("", 5, 2), Vec::<String>::new());
        assert_eq!(fmt_num(5.0), "5");
        assert_eq!(fmt_num(4.25), "4.25");
        assert_eq!(fmt_num(4.5), "4.5");
        assert_eq!(fmt_num(-0.001), "0");
        assert_eq!(r1(-0.01).to_string(), "0");
    }
}
