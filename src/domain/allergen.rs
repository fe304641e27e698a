//! The 14 allergens EU regulation 1169/2011 (annex II) requires a seller of food at a distance
//! to name before purchase. An ingredient lists those it contains; a product has those of its
//! recipe's ingredients. Stored as their codes, comma-separated, in `ingredients.allergens`.

use super::text_enum::text_enum;

text_enum!(Allergen {
    Gluten = "gluten" / "Céréales contenant du gluten",
    Crustaceans = "crustaces" / "Crustacés",
    Eggs = "oeufs" / "Œufs",
    Fish = "poissons" / "Poissons",
    Peanuts = "arachides" / "Arachides",
    Soy = "soja" / "Soja",
    Milk = "lait" / "Lait",
    Nuts = "fruits_a_coque" / "Fruits à coque",
    Celery = "celeri" / "Céleri",
    Mustard = "moutarde" / "Moutarde",
    Sesame = "sesame" / "Graines de sésame",
    Sulphites = "sulfites" / "Anhydride sulfureux et sulfites",
    Lupin = "lupin" / "Lupin",
    Molluscs = "mollusques" / "Mollusques",
});

impl Allergen {
    /// The word a menu line shows ("gluten, lait"); `label` is the full name.
    pub fn short(self) -> &'static str {
        match self {
            Allergen::Gluten => "gluten",
            Allergen::Crustaceans => "crustacés",
            Allergen::Eggs => "œufs",
            Allergen::Fish => "poisson",
            Allergen::Peanuts => "arachides",
            Allergen::Soy => "soja",
            Allergen::Milk => "lait",
            Allergen::Nuts => "fruits à coque",
            Allergen::Celery => "céleri",
            Allergen::Mustard => "moutarde",
            Allergen::Sesame => "sésame",
            Allergen::Sulphites => "sulfites",
            Allergen::Lupin => "lupin",
            Allergen::Molluscs => "mollusques",
        }
    }
}

/// The allergens of a stored list, in the regulation's order, each once. A code this version
/// does not know is kept out rather than shown wrong.
pub fn parse(stored: &str) -> Vec<Allergen> {
    let mut found: Vec<Allergen> = stored
        .split(',')
        .filter_map(|code| Allergen::parse(code.trim()))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The stored form of a list: codes in the regulation's order, comma-separated.
pub fn store(list: &[Allergen]) -> String {
    let mut sorted = list.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The allergens of a product: every allergen of any of its ingredients, once.
pub fn of_recipe<'a>(ingredients: impl IntoIterator<Item = &'a [Allergen]>) -> Vec<Allergen> {
    let mut all: Vec<Allergen> = ingredients.into_iter().flatten().copied().collect();
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_the_fourteen_of_the_regulation() {
        assert_eq!(Allergen::ALL.len(), 14);
    }

    #[test]
    fn a_list_is_stored_in_order_once_and_read_back() {
        let stored = store(&[Allergen::Milk, Allergen::Gluten, Allergen::Milk]);
        assert_eq!(stored, "gluten,lait");
        assert_eq!(parse(&stored), vec![Allergen::Gluten, Allergen::Milk]);
        assert_eq!(parse(""), vec![]);
        assert_eq!(
            parse("lait, inconnu,gluten"),
            vec![Allergen::Gluten, Allergen::Milk]
        );
    }

    #[test]
    fn a_product_has_the_allergens_of_all_its_ingredients() {
        let dough = [Allergen::Gluten];
        let cheese = [Allergen::Milk];
        let basil: [Allergen; 0] = [];
        let anchovy = [Allergen::Fish];
        let all = of_recipe([&dough[..], &cheese, &basil, &anchovy, &cheese]);
        assert_eq!(all, vec![Allergen::Gluten, Allergen::Fish, Allergen::Milk]);
    }
}
