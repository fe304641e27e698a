//! Signing a demo staff member in, as a browser does, for the load generators that drive staff
//! pages (included by those that need it: `#[path = "support/sign_in.rs"] mod sign_in;`).

use reqwest::cookie::CookieStore;
use std::sync::Arc;

/// The value of the first CSRF field of a page.
pub fn csrf_of(body: &str) -> String {
    let at = body
        .find("name=\"csrf_token\" value=\"")
        .expect("a CSRF field")
        + 25;
    body[at..at + body[at..].find('"').unwrap()].to_string()
}

/// Signs in the demo `role` of the pizzeria `slug` (its demo password), then opens `page`:
/// the signed-in client, the CSRF token of that page, and the cookies as a Cookie header.
pub async fn sign_in(
    base: &str,
    role: &str,
    slug: &str,
    page: &str,
) -> (reqwest::Client, String, String) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client.get(format!("{base}/login")).send().await.unwrap();
    let csrf = csrf_of(&login.text().await.unwrap());
    let password = ocpizza::services::demo::demo_password(role);
    let email = format!("{role}.{slug}@demo.ocpizza.fr");
    let form = [
        ("csrf_token", csrf.as_str()),
        ("email", email.as_str()),
        ("password", &password),
        ("next", ""),
    ];
    let signed = client
        .post(format!("{base}/login"))
        .header("Sec-Fetch-Site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status().as_u16(), 303, "the {role} signs in");
    let page = client.get(format!("{base}{page}")).send().await.unwrap();
    let csrf = csrf_of(&page.text().await.unwrap());
    let url = base.parse().unwrap();
    let cookie = jar
        .cookies(&url)
        .map(|h| h.to_str().unwrap().to_string())
        .unwrap_or_default();
    (client, csrf, cookie)
}
