//! A customer's browser, as far as HTTP goes: cookies, the CSRF token of the pages it loaded,
//! same-origin headers on posts, redirects not followed (tests look at them).

use crate::harness::TestApp;
use reqwest::redirect::Policy;

pub struct Customer {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

/// A part of a multipart form: name, (file name, content type) for a file, content.
pub type Part<'a> = (&'a str, Option<(&'a str, &'a str)>, &'a [u8]);

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    #[allow(dead_code)]
    pub headers: reqwest::header::HeaderMap,
}

/// The CSRF token a page carries (its forms, or the htmx headers of its body).
pub fn csrf_in(body: &str) -> Option<String> {
    [r#"name="csrf_token" value=""#, r#""X-CSRF-Token": ""#]
        .iter()
        .find_map(|pat| {
            let at = body.find(pat)? + pat.len();
            Some(body[at..at + body[at..].find('"')?].to_string())
        })
}

pub fn field_in(body: &str, name: &str) -> Option<String> {
    let pat = format!(r#"name="{name}" value=""#);
    let at = body.find(&pat)? + pat.len();
    Some(body[at..at + body[at..].find('"')?].to_string())
}

/// The page at `path` as `viewer` gets it, with a part shared by every viewer (a menu, a floor
/// board): a whole page whose every form, and the layout's htmx headers, carry the token this
/// browser held before it (its cookie's, read from an earlier page), never `other`'s token
/// nor a placeholder.
pub async fn own_copy(viewer: &mut Customer, path: &str, other: &str, forms: &str) -> Answer {
    let token = viewer.csrf.clone();
    let page = viewer.get(path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.trim_end().ends_with("</html>"),
        "a whole page: {}",
        page.body
    );
    let field = r#"name="csrf_token" value=""#;
    let own = format!("{field}{token}\"");
    assert!(
        page.body.contains(forms),
        "the shared part's forms are there: {}",
        page.body
    );
    assert!(
        page.body.contains(&own),
        "the shared part's forms carry the viewer's token: {}",
        page.body
    );
    assert_eq!(
        page.body.matches(field).count(),
        page.body.matches(&own).count(),
        "every form carries the viewer's token: {}",
        page.body
    );
    let layout = format!(r#""X-CSRF-Token": "{token}""#);
    assert!(
        page.body.contains(&layout),
        "and the layout's htmx headers: {}",
        page.body
    );
    assert!(
        !page.body.contains(other),
        "another viewer's token never shows"
    );
    for gap in [
        "__CSRF_TOKEN__",
        "<!--shared-->",
        "<!--visitor-nav-->",
        "<!--visitor-cart-->",
    ] {
        assert!(!page.body.contains(gap), "no gap left: {gap}");
    }
    page
}

impl Customer {
    pub async fn new(app: &TestApp) -> Customer {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        let mut c = Customer {
            http,
            base: app.base.clone(),
            csrf: String::new(),
        };
        c.get("/").await;
        c
    }

    async fn answer(&mut self, res: reqwest::Response) -> Answer {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let location = headers
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        let body = res.text().await.unwrap();
        if let Some(t) = csrf_in(&body) {
            self.csrf = t;
        }
        Answer {
            status,
            location,
            body,
            headers,
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        self.answer(res).await
    }

    /// A page asked for with these request headers too.
    pub async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut req = self.http.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        self.answer(res).await
    }

    /// A form post from one of our pages, with its CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &self.csrf)];
        all.extend_from_slice(fields);
        let body = serde_urlencoded(&all);
        self.raw_post(path, body, &[("Sec-Fetch-Site", "same-origin")])
            .await
    }

    /// The same, sent by htmx.
    pub async fn htmx_post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = serde_urlencoded(fields);
        let csrf = self.csrf.clone();
        self.raw_post(
            path,
            body,
            &[
                ("Sec-Fetch-Site", "same-origin"),
                ("HX-Request", "true"),
                ("X-CSRF-Token", &csrf),
            ],
        )
        .await
    }

    pub async fn raw_post(&mut self, path: &str, body: String, headers: &[(&str, &str)]) -> Answer {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        self.answer(res).await
    }

    /// A `multipart/form-data` post (a form with a file) from one of our pages, its CSRF token
    /// first: each part is (name, file name and type for a file, content).
    pub async fn multipart_post(&mut self, path: &str, parts: &[Part<'_>]) -> Answer {
        let boundary = "----ocpizza-test-7d1f0c2b";
        let token = self.csrf.clone();
        let csrf: Part<'_> = ("csrf_token", None, token.as_bytes());
        let mut body = Vec::new();
        for (name, file, content) in std::iter::once(&csrf).chain(parts) {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let disposition = match file {
                Some((file_name, kind)) => format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {kind}\r\n\r\n"
                ),
                None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
            };
            body.extend_from_slice(disposition.as_bytes());
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("Sec-Fetch-Site", "same-origin")
            .body(body)
            .send()
            .await
            .unwrap();
        self.answer(res).await
    }

    pub async fn add(&mut self, pizzeria: i64, product: i64, qty: u32) -> Answer {
        let (p, q, r) = (pizzeria.to_string(), product.to_string(), qty.to_string());
        self.htmx_post(
            "/cart/lines",
            &[("pizzeria_id", &p), ("product_id", &q), ("quantity", &r)],
        )
        .await
    }

    /// Creates an account as a person does: the form, then the link of the e-mail it sends.
    /// Returns the answer of the confirmation (a redirect to the account, signed in).
    pub async fn register(&mut self, app: &TestApp, email: &str, password: &str) -> Answer {
        self.get("/register").await;
        let fields = [
            ("name", "Léa Martin"),
            ("email", email),
            ("phone", ""),
            ("password", password),
            ("password_confirm", password),
        ];
        let sent = self.post("/register", &fields).await;
        assert_eq!(sent.status, 200, "{}", sent.body);
        assert!(
            sent.body.contains("Vérifiez votre boîte mail"),
            "{}",
            sent.body
        );
        let normalised = email.trim().to_lowercase();
        let link = latest_link(app, &normalised, "account_confirm")
            .await
            .expect("a confirmation link");
        assert_eq!(self.get(&link).await.status, 200);
        let signed = self.post(&link, &[]).await;
        // As a browser does: the page it is sent to carries the new CSRF token.
        if let Some(next) = signed.location.clone() {
            self.get(&next).await;
        }
        signed
    }

    /// Opens the checkout page and returns what its form carries.
    pub async fn open_checkout(&mut self) -> CheckoutForm {
        let page = self.get("/checkout").await;
        assert_eq!(page.status, 200, "{}", page.body);
        CheckoutForm {
            key: field_in(&page.body, "idempotency_key").expect("idempotency key in the form"),
            version: field_in(&page.body, "cart_version").expect("cart version in the form"),
            shown: field_in(&page.body, "cart_shown").expect("cart lines in the form"),
        }
    }

    /// Posts a valid delivery checkout, with `changes` replacing or adding fields.
    pub async fn checkout_with(
        &mut self,
        form: impl Into<CheckoutForm>,
        changes: &[(&str, &str)],
    ) -> Answer {
        let form = form.into();
        let mut fields: Vec<(&str, &str)> = vec![
            ("idempotency_key", &form.key),
            ("cart_version", &form.version),
            ("cart_shown", &form.shown),
        ];
        fields.extend_from_slice(&DELIVERY);
        for (k, v) in changes {
            match fields.iter_mut().find(|(name, _)| name == k) {
                Some(f) => f.1 = v,
                None => fields.push((k, v)),
            }
        }
        self.post("/checkout", &fields).await
    }

    pub async fn checkout(&mut self) -> Answer {
        let key = self.open_checkout().await;
        self.checkout_with(&key, &[]).await
    }

    /// The tracking token of the order a checkout redirected to.
    pub fn token_of(answer: &Answer) -> String {
        let loc = answer
            .location
            .as_deref()
            .unwrap_or_else(|| panic!("no redirect: {} {}", answer.status, answer.body));
        loc.rsplit('/').next().unwrap().to_string()
    }
}

/// A valid delivery checkout's visible fields: Léa's address, contact, as soon as possible,
/// paid on delivery.
pub const DELIVERY: [(&str, &str); 10] = [
    ("fulfilment", "delivery"),
    ("street", "12 rue Oberkampf"),
    ("postal_code", "75011"),
    ("city", "Paris"),
    ("instructions", "Code 4521B, 3e étage"),
    ("name", "Léa Martin"),
    ("phone", "06 12 34 56 78"),
    ("email", "lea@example.fr"),
    ("when", "asap"),
    ("payment", "on_delivery"),
];

/// The hidden fields of a checkout form: its idempotency key and the version of the cart it
/// showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutForm {
    pub key: String,
    pub version: String,
    /// The lines the page showed (to say what changed since).
    pub shown: String,
}

impl From<&CheckoutForm> for CheckoutForm {
    fn from(f: &CheckoutForm) -> CheckoutForm {
        f.clone()
    }
}

/// A form never shown (its fields made up, well formed).
impl From<&str> for CheckoutForm {
    fn from(key: &str) -> CheckoutForm {
        CheckoutForm {
            key: key.to_string(),
            version: "0".repeat(24),
            shown: String::new(),
        }
    }
}

/// The link of the newest e-mail of `template` queued for `email`.
pub async fn latest_link(app: &TestApp, email: &str, template: &str) -> Option<String> {
    use diesel::prelude::*;
    use ocpizza::db::schema::email_outbox as o;
    let (email, template) = (email.to_string(), template.to_string());
    let payload: Option<String> = app
        .with_conn(move |c| {
            o::table
                .filter(o::recipient.eq(email))
                .filter(o::template.eq(template))
                .order(o::id.desc())
                .select(o::payload)
                .first(c)
                .optional()
                .unwrap()
        })
        .await;
    let v: serde_json::Value = serde_json::from_str(&payload?).unwrap();
    v["link"].as_str().map(str::to_string)
}

fn serde_urlencoded(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}
