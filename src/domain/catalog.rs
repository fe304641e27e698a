//! What the pizzerias sell.

use super::text_enum::text_enum;

text_enum!(ProductKind {
    Pizza = "pizza" / "Pizzas",
    Drink = "drink" / "Boissons",
    Dessert = "dessert" / "Desserts",
});

impl ProductKind {
    /// Menu order: pizzas, then drinks, then desserts.
    pub fn rank(self) -> u8 {
        match self {
            ProductKind::Pizza => 0,
            ProductKind::Drink => 1,
            ProductKind::Dessert => 2,
        }
    }
}
