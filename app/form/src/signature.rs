use formseal_model::Answers;
use leptos::prelude::*;
use serde_json::{Value, json};
use wasm_bindgen::JsCast as _;

use crate::texts;

/// A drawing pad that records strokes as `[x, y, t]` points (CSS pixels,
/// milliseconds since the first point) together with the statement shown.
#[component]
pub fn SignaturePad(field_key: String, statement: String, lang: String, answers: RwSignal<Answers>) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let strokes: StoredValue<Vec<Vec<[i64; 3]>>> = StoredValue::new(Vec::new());
    let drawing = StoredValue::new(false);
    let t0 = StoredValue::new(None::<f64>);

    let context = move || {
        let canvas = canvas.get_untracked()?;
        canvas.get_context("2d").ok().flatten()?.dyn_into::<web_sys::CanvasRenderingContext2d>().ok()
    };
    let publish = {
        let (key, statement) = (field_key.clone(), statement.clone());
        move || {
            let drawn = strokes.get_value();
            answers.update(|a| {
                if drawn.is_empty() {
                    a.remove(&key);
                } else {
                    a.insert(key.clone(), json!({"statement": statement.clone(), "strokes": drawn}));
                }
            });
        }
    };
    let point = move |ev: &web_sys::PointerEvent| {
        let start = *t0.get_value().get_or_insert(ev.time_stamp());
        t0.set_value(Some(start));
        [ev.offset_x() as i64, ev.offset_y() as i64, (ev.time_stamp() - start).round() as i64]
    };
    let down = move |ev: web_sys::PointerEvent| {
        ev.prevent_default();
        drawing.set_value(true);
        let p = point(&ev);
        strokes.update_value(|s| s.push(vec![p]));
        if let Some(ctx) = context() {
            ctx.begin_path();
            ctx.move_to(p[0] as f64, p[1] as f64);
        }
    };
    let moved = move |ev: web_sys::PointerEvent| {
        if !drawing.get_value() {
            return;
        }
        let p = point(&ev);
        strokes.update_value(|s| {
            if let Some(last) = s.last_mut() {
                last.push(p);
            }
        });
        if let Some(ctx) = context() {
            ctx.line_to(p[0] as f64, p[1] as f64);
            ctx.stroke();
        }
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
    let clear = move |_| {
        strokes.set_value(Vec::new());
        t0.set_value(None);
        if let (Some(ctx), Some(c)) = (context(), canvas.get_untracked()) {
            ctx.clear_rect(0.0, 0.0, c.width() as f64, c.height() as f64);
        }
        publish();
    };
    let has_drawing = {
        let key = field_key.clone();
        move || answers.with(|a| a.get(&key).is_some_and(|v| !v.is_null() && v != &Value::Null))
    };

    view! {
        <p class="fs-statement">{statement.clone()}</p>
        <canvas
            class="fs-signature"
            node_ref=canvas
            width="320"
            height="160"
            role="img"
            aria-label=texts::sign_here(&lang)
            on:pointerdown=down
            on:pointermove=moved
            on:pointerup=up.clone()
            on:pointerleave=up
        ></canvas>
        <button type="button" class="fs-clear" on:click=clear disabled=move || !has_drawing()>
            {texts::clear_signature(&lang)}
        </button>
    }
}
