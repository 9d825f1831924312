//! The proof of work, done in the background while the visitor types: fetched when
//! the form mounts, solved in short slices that hand the page back in between, so
//! typing stays smooth. One proof per submission.

use formseal_model::{Proof, SignedChallenge, pow};
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::api;

/// How long one slice of hashing may hold the page (a frame is 16 ms).
const SLICE_MS: f64 = 8.0;

#[derive(Clone)]
pub enum Work {
    /// Nothing in progress (not started, or the last proof was taken).
    Idle,
    Solving,
    Ready(Proof),
}

/// Starts fetching and solving a challenge for the next submission.
pub fn start(api_base: String, form_id: String, work: StoredValue<Work>) {
    work.set_value(Work::Solving);
    leptos::task::spawn_local(async move {
        // On failure (offline, say) the submit fetches one itself.
        let next = match fresh(&api_base, &form_id).await {
            Ok(proof) => Work::Ready(proof),
            Err(_) => Work::Idle,
        };
        work.set_value(next);
    });
}

/// The proof for a submission: the one solved in the background, waiting for it if
/// it is still being solved, or a new one if there is none.
pub async fn take(api_base: &str, form_id: &str, work: StoredValue<Work>) -> Result<Proof, String> {
    loop {
        match work.get_value() {
            Work::Ready(proof) => {
                work.set_value(Work::Idle);
                return Ok(proof);
            }
            Work::Solving => pause(50).await,
            Work::Idle => return fresh(api_base, form_id).await,
        }
    }
}

/// Fetches a challenge and solves it.
pub async fn fresh(api_base: &str, form_id: &str) -> Result<Proof, String> {
    solve(api::fetch_challenge(api_base, form_id).await?).await
}

/// Solves in slices of about [`SLICE_MS`], sized by how fast this device hashes.
pub async fn solve(signed: SignedChallenge) -> Result<Proof, String> {
    let input = signed.challenge.work_input().map_err(|e| e.to_string())?;
    let difficulty = signed.challenge.difficulty;
    let (mut start, mut batch) = (0u64, 512u64);
    let started = now();
    loop {
        let began = js_sys::Date::now();
        if let Some(counter) = pow::solve(&input, difficulty, start, batch) {
            record(started, difficulty, counter + 1);
            return Ok(signed.prove(counter));
        }
        start += batch;
        let took = js_sys::Date::now() - began;
        if took < SLICE_MS / 2.0 {
            batch *= 2;
        } else if took > SLICE_MS * 2.0 && batch > 256 {
            batch /= 2;
        }
        pause(0).await;
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
    #[wasm_bindgen(js_namespace = performance, catch)]
    fn measure(name: &str, options: &js_sys::Object) -> Result<JsValue, JsValue>;
}

/// Leaves a User Timing entry `formseal:pow` (start, duration; detail: difficulty
/// and hashes tried) for developer tools and end2end/bench.
fn record(started: f64, difficulty: u32, hashes: u64) {
    let options = js_sys::Object::new();
    let detail = js_sys::Object::new();
    let set = |o: &js_sys::Object, k: &str, v: f64| js_sys::Reflect::set(o, &k.into(), &v.into()).is_ok();
    let ok = set(&options, "start", started)
        && set(&detail, "difficulty", f64::from(difficulty))
        && set(&detail, "hashes", hashes as f64)
        && js_sys::Reflect::set(&options, &"detail".into(), &detail).is_ok();
    if ok {
        let _ = measure("formseal:pow", &options);
    }
}

/// Gives the page back to the browser (input, rendering) for at least `ms`.
async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled = web_sys::window()
            .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).is_ok())
            .unwrap_or(false);
        if !scheduled {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}
