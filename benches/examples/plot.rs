//! Draws `benches/sweep.svg`: time per call (criterion's median, from
//! `target/criterion/`) and, when `target/bench-results/instr.tsv` has them,
//! instructions per call (callgrind) of every variant of the size sweep, against the
//! size of the buffer the future holds; one line per variant, both axes logarithmic.
//! Prints the figures as markdown tables too.
//!
//! ```text
//! cargo bench -p benches --bench sweep         # the times
//! bash benches/callgrind.sh sweep              # the instruction counts (optional)
//! cargo run --release -p benches --example plot
//! ```

#[path = "../benches/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use common::sweep::{LINES, SIZES};

/// Criterion's median time per unit of `group/bench`, in ns.
fn ns_per_unit(criterion: &Path, group: &str, bench: &str) -> Option<f64> {
    let dir = criterion.join(group).join(bench).join("new");
    let read = |name: &str| -> Option<serde_json::Value> {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).ok()?).ok()
    };
    let median = read("estimates.json")?["median"]["point_estimate"].as_f64()?;
    let elements = read("benchmark.json")?["throughput"]["Elements"].as_f64()?;
    Some(median / elements)
}

/// `id -> instructions per unit` from callgrind.sh's table, if there is one.
fn instructions(path: &Path) -> HashMap<String, f64> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let (id, count) = line.split_once('\t')?;
            Some((id.to_owned(), count.parse().ok()?))
        })
        .collect()
}

/// `16 B`, `4 KiB`, ...
fn bytes(b: usize) -> String {
    if b >= 1024 {
        format!("{} KiB", b / 1024)
    } else {
        format!("{b} B")
    }
}

/// One value per line and size (`None`: not measured).
type Table = Vec<Vec<Option<f64>>>;

/// A line's colour and whether it is dashed (the peers) or solid (dynptr, baselines).
fn style(i: usize, key: &str) -> (RGBColor, bool) {
    const COLOURS: [RGBColor; 14] = [
        RGBColor(0, 0, 0),
        RGBColor(120, 120, 120),
        RGBColor(214, 39, 40),
        RGBColor(255, 127, 14),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(31, 119, 180),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
        RGBColor(23, 190, 207),
        RGBColor(188, 189, 34),
        RGBColor(0, 90, 50),
        RGBColor(70, 40, 140),
        RGBColor(90, 150, 230),
    ];
    let peer = matches!(key, "dynosaur" | "stackfuture" | "dynify" | "smallbox");
    (COLOURS[i % COLOURS.len()], peer)
}

/// One panel: `table` against the buffer sizes, log-log.
fn panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    title: &str,
    y_desc: &str,
    table: &Table,
) -> Result<(), Box<dyn core::error::Error>> {
    let values = table.iter().flatten().flatten().copied();
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let sizes: Vec<f64> = SIZES.iter().map(|s| s.0 as f64).collect();
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (12f64..88_000f64).log_scale().with_key_points(sizes.clone()),
            (lo * 0.7..hi * 1.4).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("bytes the future holds across its await")
        .y_desc(y_desc)
        .x_label_formatter(&|x| bytes(*x as usize))
        .y_label_formatter(&|y| {
            if *y >= 100.0 {
                format!("{y:.0}")
            } else {
                format!("{y}")
            }
        })
        .label_style(("sans-serif", 13))
        .draw()?;
    for (i, (key, _)) in LINES.iter().enumerate() {
        let (colour, dashed) = style(i, key);
        let points: Vec<(f64, f64)> = sizes
            .iter()
            .zip(&table[i])
            .filter_map(|(&x, y)| Some((x, (*y)?)))
            .collect();
        let line = colour.stroke_width(2);
        if dashed {
            chart.draw_series(DashedLineSeries::new(points.clone(), 6, 4, line))?;
        } else {
            chart.draw_series(LineSeries::new(points.clone(), line))?;
        }
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
    }
    Ok(())
}

/// The legend, in its own column.
fn legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
) -> Result<(), Box<dyn core::error::Error>> {
    let text = ("sans-serif", 14).into_font().color(&BLACK);
    for (i, (key, label)) in LINES.iter().enumerate() {
        let (colour, dashed) = style(i, key);
        let y = 60 + 26 * i as i32;
        let line = colour.stroke_width(2);
        if dashed {
            area.draw(&PathElement::new(vec![(10, y), (20, y)], line))?;
            area.draw(&PathElement::new(vec![(26, y), (36, y)], line))?;
        } else {
            area.draw(&PathElement::new(vec![(10, y), (36, y)], line))?;
        }
        area.draw(&Circle::new((23, y), 3, colour.filled()))?;
        area.draw(&Text::new(*label, (44, y - 7), text.clone()))?;
    }
    Ok(())
}

/// A markdown table of `table`, one row per line, one column per size.
fn markdown(table: &Table, digits: usize) -> String {
    let mut out = String::from("| variant |");
    for s in SIZES {
        out += &format!(" {} |", bytes(s.0));
    }
    out += "\n|---|";
    out += &"---:|".repeat(SIZES.len());
    for (i, (_, label)) in LINES.iter().enumerate() {
        out += &format!("\n| {label} |");
        for v in &table[i] {
            out += &match v {
                Some(v) => format!(" {v:.digits$} |"),
                None => " - |".to_owned(),
            };
        }
    }
    out + "\n"
}

fn main() -> Result<(), Box<dyn core::error::Error>> {
    let root_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = root_dir.join("../target");
    let instr = instructions(&target.join("bench-results/instr.tsv"));
    let read = |f: &dyn Fn(&str, &str) -> Option<f64>| -> Table {
        LINES
            .iter()
            .map(|(key, _)| SIZES.iter().map(|s| f(s.1.key, key)).collect())
            .collect()
    };
    let time = read(&|group, key| ns_per_unit(&target.join("criterion"), group, key));
    let count = read(&|group, key| instr.get(&format!("{group}/{key}")).copied());
    if time.iter().flatten().all(Option::is_none) {
        return Err(
            "no sweep results in target/criterion: run `cargo bench -p benches --bench sweep`".into(),
        );
    }
    let with_count = count.iter().flatten().any(Option::is_some);

    let out = root_dir.join("sweep.svg");
    let height = if with_count { 1040 } else { 520 };
    let root = SVGBackend::new(&out, (1100, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (charts, key) = root.split_horizontally(790);
    legend(&key)?;
    let title = "time per call (criterion median, one run on a shared 2-core machine)";
    if with_count {
        let (top, bottom) = charts.split_vertically(520);
        panel(&top, title, "ns per call", &time)?;
        panel(
            &bottom,
            "instructions per call (callgrind, exact)",
            "instructions per call",
            &count,
        )?;
    } else {
        panel(&charts, title, "ns per call", &time)?;
    }
    root.present()?;
    println!("ns per call (criterion median):\n\n{}", markdown(&time, 1));
    if with_count {
        println!("instructions per call (callgrind):\n\n{}", markdown(&count, 0));
    }
    println!("written: {}", out.display());
    Ok(())
}
