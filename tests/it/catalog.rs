//! The direction's ingredients and the allergens they carry to the menu and the recipe card:
//! created with an empty stock row at every pizzeria, renamed or given allergens, deleted only
//! when nothing uses them; bad input refused next to its field with nothing written.

use crate::each_backend;
use crate::fixtures;
use crate::floor::staff;
use crate::harness::TestApp;
use crate::ordering::shop;
use diesel::prelude::*;
use ocpizza::db::schema::{ingredients, stock_levels};

fn unescape(body: &str) -> String {
    body.replace("&#x27;", "'").replace("&#x2F;", "/")
}

async fn ingredient_count(app: &TestApp) -> i64 {
    app.with_conn(|c| ingredients::table.count().get_result(c).unwrap())
        .await
}

/// The menu line of a product on a pizzeria's menu.
fn product_line(body: &str, product: i64) -> String {
    let at = body
        .find(&format!("id=\"product-{product}\""))
        .expect("the product on the menu");
    let end = body[at..].find("</li>").unwrap() + at;
    unescape(&body[at..end])
}

each_backend! {
    async fn the_menu_and_the_recipe_card_name_each_product_s_allergens(db) {
        let shop = shop(db).await;
        let a = shop.bastille;
        let mut c = crate::customer::Customer::new(&shop.app).await;
        let menu = c.get(&format!("/pizzerias/{a}")).await;
        // Dough (gluten) and mozzarella (milk): a short list, the full names on demand.
        let margherita = product_line(&menu.body, shop.margherita.0);
        assert!(margherita.contains("<summary>Allergènes : gluten, lait</summary>"), "{margherita}");
        assert!(margherita.contains("Céréales contenant du gluten · Lait"), "{margherita}");
        let water = shop.app.with_conn(|c| fixtures::product(c, "Eau pétillante San Pellegrino 50 cl")).await;
        assert!(product_line(&menu.body, water.0).contains("Aucun des 14 allergènes majeurs"));
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        let card = cook.get(&format!("/staff/{a}/recipes/{}", shop.margherita)).await;
        assert_eq!(card.status, 200);
        assert!(card.body.contains("Allergènes : <strong>Céréales contenant du gluten, Lait</strong>"), "{}", card.body);
    }

    async fn the_direction_creates_and_edits_ingredients_with_their_allergens(db) {
        let shop = shop(db).await;
        let mut admin = staff(&shop.app, "admin", "").await;
        let list = admin.get("/admin/ingredients").await;
        assert_eq!(list.status, 200);
        assert_eq!(list.body.matches("type=\"checkbox\" name=\"allergen[").count(), 14);
        let created = admin.post("/admin/ingredients", &[
            ("name", "Pesto alla genovese"), ("unit", "g"),
            ("allergen[fruits_a_coque]", "on"), ("allergen[lait]", "on"),
        ]).await;
        assert_eq!(created.status, 303, "{}", created.body);
        let pesto = shop.app.with_conn(|c| fixtures::ingredient(c, "Pesto alla genovese")).await;
        let (stored, rows, stocked): (String, i64, i64) = shop.app.with_conn(move |c| {
            let stored = ingredients::table.find(pesto).select(ingredients::allergens).first(c).unwrap();
            let rows = stock_levels::table.filter(stock_levels::ingredient_id.eq(pesto)).count().get_result(c).unwrap();
            let stocked = stock_levels::table.filter(stock_levels::ingredient_id.eq(pesto)).filter(stock_levels::on_hand.ne(0)).count().get_result(c).unwrap();
            (stored, rows, stocked)
        }).await;
        assert_eq!(stored, "lait,fruits_a_coque");
        assert_eq!(rows, 5, "a stock row at every pizzeria");
        assert_eq!(stocked, 0);
        let list = unescape(&admin.get("/admin/ingredients?done=created").await.body);
        assert!(list.contains("Ingrédient ajouté"));
        let at = list.find(&format!("id=\"ingredient-{pesto}\"")).unwrap();
        assert!(list[at..].contains("<td class=\"allergens\">lait, fruits à coque</td>"));

        // The mozzarella gets eggs (say, a new supplier's recipe): the Margherita shows them.
        let mozzarella = shop.app.with_conn(|c| fixtures::ingredient(c, "Mozzarella fior di latte")).await;
        let saved = admin.post(&format!("/admin/ingredients/{mozzarella}"), &[
            ("name", "Mozzarella fior di latte"), ("allergen[lait]", "on"), ("allergen[oeufs]", "on"),
        ]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        // A process that reads the menu now sees it (others within the menu cache's 2 s).
        let other = shop.app.another_instance().await;
        let mut c = crate::customer::Customer::new(&other).await;
        let menu = c.get(&format!("/pizzerias/{}", shop.bastille)).await;
        assert!(product_line(&menu.body, shop.margherita.0).contains("Allergènes : gluten, œufs, lait"));
        let mut cook = staff(&shop.app, "pizzaiolo", "bastille").await;
        let card = cook.get(&format!("/staff/{}/recipes/{}", shop.bastille, shop.margherita)).await;
        assert!(card.body.contains("Céréales contenant du gluten, Œufs, Lait"));
    }

    async fn bad_ingredient_input_is_refused_next_to_its_field_and_nothing_is_written(db) {
        let shop = shop(db).await;
        let mut admin = staff(&shop.app, "admin", "").await;
        admin.get("/admin/ingredients").await;
        let before = ingredient_count(&shop.app).await;
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: [Case; 5] = [
            (&[("name", "  "), ("unit", "g")], "name-error", "Le nom est obligatoire."),
            (&[("name", "basilic FRAIS"), ("unit", "g")], "name-error", "Un ingrédient porte déjà ce nom."),
            (&[("name", "Truffe"), ("unit", "kg")], "unit-error", "Choisissez l'unité : g, ml ou pièce(s)."),
            (&[("name", "Truffe"), ("unit", "g"), ("allergen[plomb]", "on")], "allergens-error", "Cet allergène n'est pas dans la liste."),
            (&[("name", "Truffe\u{202E}"), ("unit", "g")], "name-error", "Le nom contient des caractères non autorisés."),
        ];
        for (fields, id, message) in cases {
            let res = admin.post("/admin/ingredients", fields).await;
            assert_eq!(res.status, 422, "{fields:?}");
            let body = unescape(&res.body);
            assert!(body.contains(&format!("id=\"{id}\">{message}</p>")), "{fields:?}: {body}");
        }
        assert_eq!(ingredient_count(&shop.app).await, before, "nothing written");
        // Renaming to another ingredient's name.
        let capers = shop.app.with_conn(|c| fixtures::ingredient(c, "Câpres")).await;
        let res = admin.post(&format!("/admin/ingredients/{capers}"), &[("name", "Roquette")]).await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains("Un ingrédient porte déjà ce nom."));
        let name: String = shop.app.with_conn(move |c| ingredients::table.find(capers).select(ingredients::name).first(c).unwrap()).await;
        assert_eq!(name, "Câpres");
        assert_eq!(admin.get("/admin/ingredients/999999").await.status, 404);
        assert_eq!(admin.get("/admin/ingredients/abc").await.status, 404);
    }

    async fn an_ingredient_is_deleted_only_when_nothing_uses_it(db) {
        let shop = shop(db).await;
        let mut admin = staff(&shop.app, "admin", "").await;
        admin.get("/admin/ingredients").await;
        // Used by recipes: refused, naming them.
        let capers = shop.app.with_conn(|c| fixtures::ingredient(c, "Câpres")).await;
        let used = admin.post(&format!("/admin/ingredients/{capers}/delete"), &[]).await;
        assert_eq!(used.status, 409);
        let body = unescape(&used.body);
        assert!(body.contains("Cet ingrédient est utilisé par : ") && body.contains("Napolitaine") && body.contains("Tonno"), "{body}");
        // Unused, never stocked: deleted with its empty stock rows.
        assert_eq!(admin.post("/admin/ingredients", &[("name", "Truffe noire"), ("unit", "g")]).await.status, 303);
        let truffle = shop.app.with_conn(|c| fixtures::ingredient(c, "Truffe noire")).await;
        let gone = admin.post(&format!("/admin/ingredients/{truffle}/delete"), &[]).await;
        assert_eq!(gone.status, 303, "{}", gone.body);
        let left: i64 = shop.app.with_conn(move |c| {
            ingredients::table.filter(ingredients::id.eq(truffle)).count().get_result::<i64>(c).unwrap()
                + stock_levels::table.filter(stock_levels::ingredient_id.eq(truffle)).count().get_result::<i64>(c).unwrap()
        }).await;
        assert_eq!(left, 0);
        // Unused but with a stock history: kept, so that the ledger still explains itself.
        assert_eq!(admin.post("/admin/ingredients", &[("name", "Burrata"), ("unit", "g")]).await.status, 303);
        let burrata = shop.app.with_conn(|c| fixtures::ingredient(c, "Burrata")).await;
        crate::management::set_level(&shop.app, shop.bastille, burrata, 500).await;
        let kept = admin.post(&format!("/admin/ingredients/{burrata}/delete"), &[]).await;
        assert_eq!(kept.status, 409);
        assert!(kept.body.contains("historique de stock"), "{}", kept.body);
        let mut manager = staff(&shop.app, "manager", "bastille").await;
        assert_eq!(manager.get("/admin/ingredients").await.status, 403);
    }
}
