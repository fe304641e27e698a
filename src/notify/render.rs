//! Each e-mail is two templates: `<name>.txt`, whose first line is the subject and the rest the
//! plain-text part, and `<name>.html`, the HTML part (escaped). Tera templates, but not named
//! `.tera`: the web's template set never loads them.

use tera::{Context, Tera};

pub struct Emails {
    tera: Tera,
}

/// A message's subject and both its parts.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Emails {
    /// Every template under `<templates>/email/`.
    pub fn load(templates: &str) -> Result<Emails, tera::Error> {
        let mut tera = Tera::new(&format!("{templates}/email/**/*.{{txt,html}}"))?;
        tera.autoescape_on(vec![".html"]);
        Ok(Emails { tera })
    }

    pub fn render(&self, name: &str, values: &serde_json::Value) -> Result<Rendered, tera::Error> {
        let ctx = Context::from_value(values.clone())?;
        let text = self.tera.render(&format!("{name}.txt"), &ctx)?;
        let (subject, body) = text.trim_start().split_once('\n').unwrap_or((&text, ""));
        let html = self.tera.render(&format!("{name}.html"), &ctx)?;
        Ok(Rendered {
            subject: subject.trim().to_string(),
            text: tidy(body),
            html,
        })
    }
}

/// The text part without the template's blank-line runs: at most one empty line in a row.
fn tidy(body: &str) -> String {
    let mut out = String::new();
    let mut blank = true;
    for line in body.lines().map(str::trim_end) {
        if line.is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every e-mail the services queue, with the values the worker gives it.
    const ALL: [&str; 13] = [
        "order_confirmed",
        "order_modified",
        "order_preparing",
        "order_ready",
        "order_out_for_delivery",
        "order_delivered",
        "order_cancelled",
        "order_refunded",
        "account_confirm",
        "password_reset",
        "account_exists",
        "staff_invitation",
        "low_stock",
    ];

    fn values() -> serde_json::Value {
        json!({
            "name": "Léa <Martin>", "public_url": "https://ocpizza.fr",
            "link": "https://ocpizza.fr/l/abc", "login": "https://ocpizza.fr/login",
            "reset": "https://ocpizza.fr/password/forgot", "path": "https://ocpizza.fr/staff/1/stock",
            "valid_minutes": 30, "valid_hours": 72, "pizzeria": "OC Pizza Bastille", "role": "Livreur",
            "ingredient": "Mozzarella", "available": "800 g", "threshold": "1 kg",
            "details": { "reason": "four en panne", "previous_total": "10,50 €", "amount": "21,00 €" },
            "order": {
                "number": "#042", "link": "https://ocpizza.fr/orders/tok", "delivery": true,
                "address": "3 rue Oberkampf, 75011 Paris", "total": "21,00 €", "paid": false,
                "payment": "À la livraison", "promised_time": "19:45", "promised_day": "02/12",
                "pizzeria": "OC Pizza Bastille", "pizzeria_phone": "01 43 00 00 01",
                "pizzeria_address": "12 rue de la Roquette, 75011 Paris",
                "lines": [{ "qty": 2, "name": "Margherita", "total": "21,00 €" }]
            }
        })
    }

    #[test]
    fn every_email_has_a_subject_a_text_part_and_an_escaped_html_part() {
        let emails = Emails::load("templates").unwrap();
        for name in ALL {
            let r = emails
                .render(name, &values())
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(
                !r.subject.is_empty() && !r.subject.contains('{'),
                "{name}: {}",
                r.subject
            );
            assert!(
                !r.text.contains('<') || r.text.contains("<Martin>"),
                "{name}: text only: {}",
                r.text
            );
            assert!(!r.text.contains("\n\n\n"), "{name}: tidy text");
            assert!(
                r.html.contains("<!DOCTYPE html>") && r.html.contains("lang=\"fr\""),
                "{name}"
            );
            assert!(
                !r.html.contains("<Martin>"),
                "{name}: the HTML part escapes what it shows"
            );
        }
        let r = emails.render("order_confirmed", &values()).unwrap();
        assert_eq!(r.subject, "Commande #042 confirmée · OC Pizza Bastille");
        assert!(r.text.contains("2 × Margherita : 21,00 €"), "{}", r.text);
        assert!(r.text.contains("Livraison prévue vers 19:45"), "{}", r.text);
        assert!(
            r.text
                .contains("Suivre la commande : https://ocpizza.fr/orders/tok"),
            "{}",
            r.text
        );
        let html = r.html.replace("&#x2F;", "/");
        assert!(
            html.contains("href=\"https://ocpizza.fr/orders/tok\""),
            "{html}"
        );
        let c = emails.render("order_cancelled", &values()).unwrap();
        assert!(c.text.contains("Motif : four en panne."), "{}", c.text);
    }
}
