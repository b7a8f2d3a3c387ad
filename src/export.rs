//! Downloads: the trace as JSON and CSV, the Gantt chart as a self-contained
//! SVG and as PNG, the metrics table as CSV. The texts are made here as plain
//! functions (tested natively); only `download` touches the browser.

use sim_core::session::gantt::{COLUMNS, KERNEL, USER};
use sim_core::session::{EventView, Metrics, View};

/// A file to download.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub name: String,
    pub mime: &'static str,
    pub text: String,
}

/// What can be exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    TraceJson,
    TraceCsv,
    GanttSvg,
    GanttPng,
    MetricsCsv,
}

/// One CSV field: quoted when it holds a comma, quote or line break; a
/// leading `= + - @` is prefixed with `'` so a spreadsheet never runs it.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn actor(e: &EventView) -> String {
    format!("{:?}", e.actor)
}

pub fn trace_json(events: &[EventView]) -> String {
    serde_json::to_string_pretty(events).unwrap_or_else(|_| "[]".into())
}

pub fn trace_csv(events: &[EventView]) -> String {
    let mut out = String::from("cycle,actor,event\r\n");
    for e in events {
        out.push_str(&format!(
            "{},{},{}\r\n",
            e.cycle,
            actor(e),
            csv_field(&e.text)
        ));
    }
    out
}

pub fn metrics_csv(m: &Metrics) -> String {
    let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    let avg = |v: Option<f64>| v.map(|v| crate::fixed::fixed(v, 2)).unwrap_or_default();
    let mut out = String::from("pid,name,arrival,turnaround,response,wait,cpu\r\n");
    for r in &m.rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\r\n",
            r.pid.0,
            csv_field(&r.name),
            r.arrival,
            opt(r.turnaround),
            opt(r.response),
            r.wait,
            r.cpu
        ));
    }
    out.push_str(&format!(
        "average,,,{},{},{},\r\n",
        avg(m.avg_turnaround),
        avg(m.avg_response),
        avg(m.avg_wait)
    ));
    out
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The Gantt chart as a standalone SVG: colours and the hatch pattern are
/// inside the file, so it looks the same anywhere.
pub fn gantt_svg(v: &View) -> String {
    const LABEL: usize = 120;
    const ROW: usize = 20;
    let (w, h) = (LABEL + COLUMNS + 10, ROW * v.gantt.len() + 40);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\
         <title>{}: CPU use by process, cycles 0 to {}</title>\
         <defs><pattern id=\"hatch\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <rect width=\"5\" height=\"5\" fill=\"#f3d3c8\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"#b3401f\" stroke-width=\"2\"/></pattern></defs>\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>",
        xml(&v.title),
        v.cycle
    );
    for (r, lane) in v.gantt.iter().enumerate() {
        let y = r * ROW;
        out.push_str(&format!(
            "<text x=\"4\" y=\"{}\" fill=\"#1b1f24\">{}</text>",
            y + 14,
            xml(&lane.label)
        ));
        for (x, c) in lane.cols.iter().enumerate() {
            let fill = match *c {
                0 => continue,
                USER => "#2b7a3d",
                b if b & KERNEL != 0 => "url(#hatch)",
                _ => continue,
            };
            out.push_str(&format!(
                "<rect x=\"{}\" y=\"{}\" width=\"1\" height=\"{}\" fill=\"{fill}\"/>",
                LABEL + x,
                y + 3,
                ROW - 6
            ));
        }
    }
    let axis = ROW * v.gantt.len() + 8;
    out.push_str(&format!(
        "<line x1=\"{LABEL}\" x2=\"{}\" y1=\"{axis}\" y2=\"{axis}\" stroke=\"#5b6470\"/>\
         <text x=\"{LABEL}\" y=\"{}\" fill=\"#5b6470\">0</text>\
         <text x=\"{}\" y=\"{}\" fill=\"#5b6470\" text-anchor=\"end\">cycle {}</text>\
         <text x=\"4\" y=\"{}\" fill=\"#5b6470\">user mode: solid; kernel mode: hatched</text></svg>",
        LABEL + COLUMNS,
        axis + 14,
        LABEL + COLUMNS,
        axis + 14,
        v.cycle,
        axis + 28
    ));
    out
}

/// The file for `what`, from the view and the session's trace.
pub fn file(
    what: Export,
    slug: &str,
    view: &View,
    events: impl FnOnce() -> Vec<EventView>,
) -> File {
    let (suffix, mime, text) = match what {
        Export::TraceJson => ("trace.json", "application/json", trace_json(&events())),
        Export::TraceCsv => ("trace.csv", "text/csv", trace_csv(&events())),
        Export::GanttSvg | Export::GanttPng => ("gantt.svg", "image/svg+xml", gantt_svg(view)),
        Export::MetricsCsv => ("metrics.csv", "text/csv", metrics_csv(&view.metrics)),
    };
    File {
        name: format!("{slug}-{suffix}"),
        mime,
        text,
    }
}

/// Offers `f` as a download (`png`: rasterise the SVG first).
pub fn download(f: File, png: bool) {
    if png {
        return svg_to_png(f);
    }
    save_blob(&f.name, &js_sys::Array::of1(&f.text.into()), f.mime);
}

fn save_blob(name: &str, parts: &js_sys::Array, mime: &str) {
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(parts, &opts) else {
        return;
    };
    save_url_of(name, &blob);
}

fn save_url_of(name: &str, blob: &web_sys::Blob) {
    use wasm_bindgen::JsCast;
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let doc = gloo::utils::document();
    if let Some(a) = doc
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    // The download reads the blob after this returns: free it a little later.
    gloo::timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
}

/// Draws the SVG into a canvas and saves the canvas as PNG.
fn svg_to_png(f: File) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let name = f.name.replace(".svg", ".png");
    let img2 = img.clone();
    let onload = Closure::once_into_js(move || {
        let doc = gloo::utils::document();
        let Some(canvas) = doc
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            return;
        };
        canvas.set_width(img2.natural_width());
        canvas.set_height(img2.natural_height());
        let Some(ctx) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        let _ = ctx.draw_image_with_html_image_element(&img2, 0.0, 0.0);
        let save = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
            if let Some(b) = blob {
                save_url_of(&name, &b);
            }
        });
        let _ = canvas.to_blob_with_type(save.unchecked_ref(), "image/png");
    });
    img.set_onload(Some(onload.unchecked_ref()));
    let data = format!(
        "data:image/svg+xml;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&f.text))
    );
    img.set_src(&data);
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::session::{Command, Session};

    fn finished(name: &str) -> Session {
        let mut s = Session::load_builtin(name).unwrap();
        s.apply(&Command::Run { cycles: 5_000_000 });
        s
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
    }

    #[test]
    fn exports_are_well_formed() {
        let s = finished("convoy-fifo");
        let v = s.view();
        let events = s.trace_events();
        let parsed: serde_json::Value = serde_json::from_str(&trace_json(&events)).unwrap();
        assert_eq!(parsed.as_array().unwrap().len(), events.len());
        let csv = trace_csv(&events);
        assert_eq!(csv.lines().count(), events.len() + 1);
        let m = metrics_csv(&v.metrics);
        assert!(m.starts_with("pid,name,arrival,turnaround"));
        assert_eq!(m.lines().count(), v.metrics.rows.len() + 2);
        let svg = gantt_svg(&v);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>") && svg.contains("url(#hatch)") && svg.contains("#2b7a3d"));
    }
}
