//! Form settings: texts, the controller and the notice, languages, phone region,
//! look, and where the form may be embedded.

use formseal_model::definition::LANGUAGES;
use formseal_model::{LegalBasis, Theme, phone};
use leptos::prelude::*;

use super::inputs::{count_input, list_input, local_text, text_input};
use super::state::Editor;

const BASES: [(LegalBasis, &str); 6] = [
    (LegalBasis::Consent, "consent"),
    (LegalBasis::Contract, "contract"),
    (LegalBasis::LegalObligation, "legal_obligation"),
    (LegalBasis::VitalInterests, "vital_interests"),
    (LegalBasis::PublicTask, "public_task"),
    (LegalBasis::LegitimateInterests, "legitimate_interests"),
];

#[component]
pub fn FormSettings(editor: Editor) -> impl IntoView {
    let controller = |name: &'static str, label: &'static str| {
        text_input(
            format!("settings-controller-{name}"),
            label.into(),
            move || {
                editor.with_def(|d| {
                    let c = &d.notice.controller;
                    match name {
                        "name" => c.name.clone(),
                        "address" => c.address.clone(),
                        _ => c.contact.clone(),
                    }
                })
            },
            move |v| {
                editor.edit(&format!("controller-{name}"), |s| {
                    let c = &mut s.definition.notice.controller;
                    match name {
                        "name" => c.name = v,
                        "address" => c.address = v,
                        _ => c.contact = v,
                    }
                })
            },
        )
    };
    let languages = LANGUAGES
        .iter()
        .map(|lang| {
            let lang = *lang;
            let id = format!("settings-lang-{lang}");
            view! {
                <span class="prop-check">
                    <input
                        id=id.clone()
                        type="checkbox"
                        prop:checked=move || editor.with_def(|d| d.languages.iter().any(|l| l == lang))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            editor.edit("languages", |s| {
                                let langs = &mut s.definition.languages;
                                langs.retain(|l| l != lang);
                                if on {
                                    langs.push(lang.to_owned());
                                }
                            });
                        }
                    />
                    <label for=id>{formseal_model::definition::language_name(lang)}</label>
                </span>
            }
        })
        .collect_view();
    let bases =
        BASES.iter().map(|(basis, value)| view! { <option value=*value>{basis.label("en")}</option> }).collect_view();
    let regions = phone::regions().map(|r| view! { <option value=r>{r}</option> }).collect_view();
    let theme_edit = move |target: &str, f: Box<dyn FnOnce(&mut Theme)>| {
        editor.edit(target, |s| {
            let theme = s.definition.theme.get_or_insert_with(Theme::default);
            f(theme);
            if *theme == Theme::default() {
                s.definition.theme = None;
            }
        })
    };
    view! {
        <section class="panel" aria-labelledby="settings-title">
            <h2 id="settings-title">"Form settings"</h2>
            <fieldset>
                <legend>"Languages (the first checked is the default)"</legend>
                {languages}
            </fieldset>
            {local_text(editor, "settings-title".into(), "Title".into(), false, "title".into(),
                |d| Some(d.title.clone()), |d, lang, text| { d.title.0.insert(lang.to_owned(), text); })}
            {local_text(editor, "settings-description".into(), "Introduction (optional)".into(), true, "description".into(),
                |d| d.description.clone(),
                |d, lang, text| { d.description.get_or_insert_with(Default::default).0.insert(lang.to_owned(), text); })}
            <fieldset>
                <legend>"Controller (who collects the data)"</legend>
                {controller("name", "Name")}
                {controller("address", "Address")}
                {controller("contact", "Privacy contact (e-mail or address)")}
            </fieldset>
            {local_text(editor, "settings-purpose".into(), "Purpose of processing".into(), true, "purpose".into(),
                |d| Some(d.notice.purpose.clone()), |d, lang, text| { d.notice.purpose.0.insert(lang.to_owned(), text); })}
            <div class="prop">
                <label for="settings-basis">"Legal basis"</label>
                <select
                    id="settings-basis"
                    prop:value=move || editor.with_def(|d| BASES.iter().find(|(b, _)| *b == d.notice.legal_basis).map_or("consent", |(_, v)| *v))
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Some((basis, _)) = BASES.iter().find(|(_, v)| *v == value) {
                            editor.edit("basis", |s| s.definition.notice.legal_basis = *basis);
                        }
                    }
                >{bases}</select>
            </div>
            {count_input("settings-retention".into(), "Retention (days until answers are deleted)".into(),
                move || editor.with_def(|d| Some(d.notice.retention_days)),
                move |v| editor.edit("retention", |s| s.definition.notice.retention_days = v.unwrap_or(0)))}
            {local_text(editor, "settings-success".into(), "Message after submitting (optional)".into(), false, "success".into(),
                |d| d.success_message.clone(),
                |d, lang, text| { d.success_message.get_or_insert_with(Default::default).0.insert(lang.to_owned(), text); })}
            <div class="prop">
                <label for="settings-region">"Phone numbers without country code are from"</label>
                <select
                    id="settings-region"
                    prop:value=move || editor.with_def(|d| d.phone_region.clone().unwrap_or_default())
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        editor.edit("region", |s| s.definition.phone_region = Some(value).filter(|v| !v.is_empty()));
                    }
                >
                    <option value="">"(always ask for the country code)"</option>
                    {regions}
                </select>
            </div>
            <fieldset>
                <legend>"Look (a host page may still override it)"</legend>
                {text_input("settings-accent".into(), "Accent colour (#rrggbb)".into(),
                    move || editor.with_def(|d| d.theme.as_ref().and_then(|t| t.accent.clone()).unwrap_or_default()),
                    move |v| theme_edit("accent", Box::new(move |t| t.accent = Some(v.trim().to_owned()).filter(|v| !v.is_empty()))))}
                {text_input("settings-font".into(), "Font (e.g. Georgia, serif)".into(),
                    move || editor.with_def(|d| d.theme.as_ref().and_then(|t| t.font.clone()).unwrap_or_default()),
                    move |v| theme_edit("font", Box::new(move |t| t.font = Some(v.trim().to_owned()).filter(|v| !v.is_empty()))))}
                {count_input("settings-radius".into(), "Corner radius (pixels)".into(),
                    move || editor.with_def(|d| d.theme.as_ref().and_then(|t| t.radius_px)),
                    move |v| theme_edit("radius", Box::new(move |t| t.radius_px = v)))}
            </fieldset>
            {list_input("settings-origins".into(), "Websites that may embed the form (one origin per line, e.g. https://shop.example; * for any)".into(),
                true,
                move || editor.draft.with(|s| s.origins.clone()),
                |text| text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
                move |origins| editor.edit("origins", |s| s.origins = origins))}
        </section>
    }
}
