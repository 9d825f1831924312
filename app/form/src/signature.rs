use formseal_model::{Answers, Lang};
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen::JsCast as _;

use crate::texts;

type Point = Vec<i64>;

/// A drawing pad for finger, stylus or mouse. Records strokes as `[x, y, t]` points
/// (CSS pixels, milliseconds since the first point), with a fourth number, the
/// pressure in thousandths, where a pen or touch screen reports it. A button
/// removes the last stroke, another clears the pad. Keyboard users sign by typing their name and confirming, which
/// is recorded as such (`typed`, `confirmed`) instead of strokes.
#[component]
pub fn SignaturePad(field_key: String, statement: String, lang: String, answers: RwSignal<Answers>) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let strokes: RwSignal<Vec<Vec<Point>>> = RwSignal::new(Vec::new());
    let drawing = StoredValue::new(false);
    let t0 = StoredValue::new(None::<f64>);
    let typing = RwSignal::new(false);
    let typed_name = RwSignal::new(String::new());
    let confirmed = RwSignal::new(false);

    let context = move || {
        let canvas = canvas.get_untracked()?;
        canvas.get_context("2d").ok().flatten()?.dyn_into::<web_sys::CanvasRenderingContext2d>().ok()
    };
    // Points are in CSS pixels; the bitmap may be scaled to fit a narrow screen.
    let scale = move || {
        canvas.get_untracked().map_or(1.0, |c| {
            let shown = c.client_width();
            if shown > 0 { f64::from(c.width()) / f64::from(shown) } else { 1.0 }
        })
    };
    let redraw = move || {
        let (Some(ctx), Some(c)) = (context(), canvas.get_untracked()) else { return };
        ctx.clear_rect(0.0, 0.0, f64::from(c.width()), f64::from(c.height()));
        let k = scale();
        ctx.set_line_width(2.0 * k);
        strokes.with_untracked(|all| {
            for stroke in all {
                ctx.begin_path();
                for (i, p) in stroke.iter().enumerate() {
                    let (x, y) = (p[0] as f64 * k, p[1] as f64 * k);
                    if i == 0 { ctx.move_to(x, y) } else { ctx.line_to(x, y) }
                }
                if stroke.len() == 1 {
                    ctx.line_to(stroke[0][0] as f64 * k + 0.5, stroke[0][1] as f64 * k + 0.5);
                }
                ctx.stroke();
            }
        });
    };
    let publish = {
        let (key, statement) = (field_key.clone(), statement.clone());
        move || {
            let drawn = strokes.get_untracked();
            let (name, ok) = (typed_name.get_untracked(), confirmed.get_untracked());
            answers.update(|a| {
                if typing.get_untracked() {
                    if name.trim().is_empty() || !ok {
                        a.remove(&key);
                    } else {
                        a.insert(
                            key.clone(),
                            json!({"statement": statement.clone(), "typed": name.trim(), "confirmed": true}),
                        );
                    }
                } else if drawn.is_empty() {
                    a.remove(&key);
                } else {
                    a.insert(key.clone(), json!({"statement": statement.clone(), "strokes": drawn}));
                }
            });
        }
    };
    let point = move |ev: &web_sys::PointerEvent| -> Point {
        let start = *t0.get_value().get_or_insert(ev.time_stamp());
        t0.set_value(Some(start));
        let mut p = vec![ev.offset_x() as i64, ev.offset_y() as i64, (ev.time_stamp() - start).round() as i64];
        // Mice report a constant 0.5 while pressed: only pens and fingers say something.
        if ev.pointer_type() != "mouse" && ev.pressure() > 0.0 {
            p.push((f64::from(ev.pressure()) * 1000.0).round().clamp(0.0, 1000.0) as i64);
        }
        p
    };
    let down = move |ev: web_sys::PointerEvent| {
        ev.prevent_default();
        if let Some(target) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
        drawing.set_value(true);
        let p = point(&ev);
        strokes.update(|s| s.push(vec![p]));
        redraw();
    };
    let moved = move |ev: web_sys::PointerEvent| {
        if !drawing.get_value() {
            return;
        }
        ev.prevent_default();
        let p = point(&ev);
        strokes.update(|s| {
            if let Some(last) = s.last_mut() {
                last.push(p);
            }
        });
        redraw();
    };
    let up = {
        let publish = publish.clone();
        move |_: web_sys::PointerEvent| {
            if drawing.get_value() {
                drawing.set_value(false);
                publish();
            }
        }
    };
    let clear = {
        let publish = publish.clone();
        move |_| {
            strokes.set(Vec::new());
            t0.set_value(None);
            redraw();
            publish();
        }
    };
    let undo = {
        let publish = publish.clone();
        move |_| {
            strokes.update(|s| {
                s.pop();
            });
            redraw();
            publish();
        }
    };
    let toggle_typing = {
        let publish = publish.clone();
        move |_| {
            typing.update(|t| *t = !*t);
            publish();
        }
    };
    let on_name = {
        let publish = publish.clone();
        move |ev: leptos::ev::Event| {
            typed_name.set(event_target_value(&ev));
            publish();
        }
    };
    let on_confirm = {
        let publish = publish.clone();
        move |ev: leptos::ev::Event| {
            confirmed.set(event_target_checked(&ev));
            publish();
        }
    };
    let nothing_drawn = move || strokes.with(Vec::is_empty);
    let name_id = format!("fs-{field_key}-typed");
    let confirm_id = format!("fs-{field_key}-confirm");
    let t = texts::of(Lang::parse(&lang));

    view! {
        <p class="fs-statement">{statement.clone()}</p>
        <div class="fs-pad" class:fs-hidden=move || typing.get()>
            <canvas
                class="fs-signature"
                node_ref=canvas
                width="600"
                height="240"
                role="img"
                aria-label=t.sign_here
                on:pointerdown=down
                on:pointermove=moved
                on:pointerup=up.clone()
                on:pointercancel=up.clone()
                on:lostpointercapture=up
            ></canvas>
            <div class="fs-pad-actions">
                <button type="button" class="fs-clear fs-undo" on:click=undo disabled=nothing_drawn>
                    {t.remove_last_stroke}
                </button>
                <button type="button" class="fs-clear" on:click=clear disabled=nothing_drawn>
                    {t.clear_signature}
                </button>
            </div>
        </div>
        <button type="button" class="fs-clear fs-type-toggle" aria-expanded=move || typing.get().to_string() on:click=toggle_typing>
            {move || if typing.get() { t.draw_instead } else { t.sign_with_keyboard }}
        </button>
        <Show when=move || typing.get()>
            <div class="fs-typed">
                <label class="fs-sub" for=name_id.clone()>{t.full_name}</label>
                <input id=name_id.clone() type="text" autocomplete="name" prop:value=move || typed_name.get() on:input=on_name.clone() />
                <label class="fs-option">
                    <input id=confirm_id.clone() type="checkbox" prop:checked=move || confirmed.get() on:change=on_confirm.clone() />
                    {t.typed_signature}
                </label>
            </div>
        </Show>
    }
}
