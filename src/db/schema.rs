// One schema for both backends: ids and amounts are BIGINT, times are UTC timestamps.
// Kept by hand in step with migrations/{sqlite,mysql}/.

diesel::table! {
    pizzerias (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        street -> Text,
        postal_code -> Text,
        city -> Text,
        phone -> Text,
        active -> Bool,
        created_at -> Timestamp,
        minutes_per_pizza -> Integer,
        ovens -> Integer,
        delivery_minutes -> Integer,
        later_lead_minutes -> Integer,
        amber_after_minutes -> Integer,
        red_after_minutes -> Integer,
    }
}

diesel::table! {
    opening_hours (id) {
        id -> BigInt,
        pizzeria_id -> BigInt,
        weekday -> Integer,
        opens_at -> Integer,
        closes_at -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        full_name -> Text,
        phone -> Nullable<Text>,
        is_admin -> Bool,
        active -> Bool,
        created_at -> Timestamp,
        email_verified_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    staff_memberships (id) {
        id -> BigInt,
        user_id -> BigInt,
        pizzeria_id -> BigInt,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    customer_addresses (id) {
        id -> BigInt,
        user_id -> BigInt,
        label -> Text,
        street -> Text,
        postal_code -> Text,
        city -> Text,
        instructions -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ingredients (id) {
        id -> BigInt,
        name -> Text,
        unit -> Text,
        created_at -> Timestamp,
        allergens -> Text,
    }
}

diesel::table! {
    products (id) {
        id -> BigInt,
        kind -> Text,
        name -> Text,
        description -> Text,
        price_cents -> BigInt,
        position -> Integer,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        photo -> Nullable<Text>,
    }
}

diesel::table! {
    recipe_lines (id) {
        id -> BigInt,
        product_id -> BigInt,
        ingredient_id -> BigInt,
        quantity -> BigInt,
    }
}

diesel::table! {
    recipe_steps (id) {
        id -> BigInt,
        product_id -> BigInt,
        position -> Integer,
        instruction -> Text,
    }
}

diesel::table! {
    menu_items (id) {
        id -> BigInt,
        pizzeria_id -> BigInt,
        product_id -> BigInt,
        enabled -> Bool,
    }
}

diesel::table! {
    stock_levels (id) {
        id -> BigInt,
        pizzeria_id -> BigInt,
        ingredient_id -> BigInt,
        on_hand -> BigInt,
        reserved -> BigInt,
        low_threshold -> BigInt,
        updated_at -> Timestamp,
        low_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    menu_changes (id) {
        id -> BigInt,
        pizzeria_id -> BigInt,
        product_id -> BigInt,
        enabled -> Bool,
        user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    pizzeria_closures (id) {
        id -> BigInt,
        pizzeria_id -> BigInt,
        day -> Date,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    orders (id) {
        id -> BigInt,
        pizzeria_id -> BigInt,
        token -> Text,
        user_id -> Nullable<BigInt>,
        channel -> Text,
        fulfilment -> Text,
        status -> Text,
        payment_status -> Text,
        payment_method -> Text,
        customer_name -> Text,
        customer_phone -> Text,
        customer_email -> Text,
        delivery_street -> Nullable<Text>,
        delivery_postal_code -> Nullable<Text>,
        delivery_city -> Nullable<Text>,
        delivery_instructions -> Nullable<Text>,
        desired_at -> Nullable<Timestamp>,
        total_cents -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        service_date -> Nullable<Date>,
        number -> Nullable<Integer>,
        promised_at -> Nullable<Timestamp>,
        driver_id -> Nullable<BigInt>,
        delivery_problem -> Nullable<Text>,
    }
}

diesel::table! {
    order_lines (id) {
        id -> BigInt,
        order_id -> BigInt,
        product_id -> BigInt,
        product_name -> Text,
        unit_price_cents -> BigInt,
        quantity -> Integer,
    }
}

diesel::table! {
    order_events (id) {
        id -> BigInt,
        order_id -> BigInt,
        pizzeria_id -> BigInt,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_kind -> Text,
        actor_user_id -> Nullable<BigInt>,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    stock_movements (id) {
        id -> BigInt,
        pizzeria_id -> BigInt,
        ingredient_id -> BigInt,
        reason -> Text,
        delta_on_hand -> BigInt,
        delta_reserved -> BigInt,
        order_id -> Nullable<BigInt>,
        user_id -> Nullable<BigInt>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        order_id -> BigInt,
        provider -> Text,
        provider_ref -> Nullable<Text>,
        amount_cents -> BigInt,
        status -> Text,
        idempotency_key -> Text,
        recorded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        charge_ref -> Nullable<Text>,
        checkout_url -> Nullable<Text>,
        failure -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refunds (id) {
        id -> BigInt,
        payment_id -> BigInt,
        amount_cents -> BigInt,
        status -> Text,
        provider_ref -> Nullable<Text>,
        idempotency_key -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> BigInt,
        provider -> Text,
        event_id -> Text,
        event_type -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> BigInt,
        dedupe_key -> Text,
        recipient -> Text,
        template -> Text,
        payload -> Text,
        order_id -> Nullable<BigInt>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        claimed_by -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Nullable<BigInt>,
        data -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        scope -> Text,
        idem_key -> Text,
        order_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> BigInt,
        email -> Text,
        ip -> Text,
        succeeded -> Bool,
        created_at -> Timestamp,
        device -> Nullable<Text>,
    }
}

diesel::table! {
    account_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        pending_name -> Nullable<Text>,
        pending_phone -> Nullable<Text>,
        pending_password_hash -> Nullable<Text>,
    }
}

diesel::joinable!(account_tokens -> users (user_id));

diesel::table! {
    order_numbers (pizzeria_id, service_date) {
        pizzeria_id -> BigInt,
        service_date -> Date,
        last_number -> Integer,
    }
}

diesel::joinable!(opening_hours -> pizzerias (pizzeria_id));
diesel::joinable!(pizzeria_closures -> pizzerias (pizzeria_id));

diesel::joinable!(staff_memberships -> users (user_id));

diesel::joinable!(staff_memberships -> pizzerias (pizzeria_id));

diesel::joinable!(customer_addresses -> users (user_id));

diesel::joinable!(recipe_lines -> products (product_id));

diesel::joinable!(recipe_lines -> ingredients (ingredient_id));

diesel::joinable!(recipe_steps -> products (product_id));

diesel::joinable!(menu_items -> pizzerias (pizzeria_id));

diesel::joinable!(menu_items -> products (product_id));

diesel::joinable!(stock_levels -> pizzerias (pizzeria_id));

diesel::joinable!(menu_changes -> pizzerias (pizzeria_id));

diesel::joinable!(menu_changes -> products (product_id));

diesel::joinable!(menu_changes -> users (user_id));

diesel::joinable!(stock_levels -> ingredients (ingredient_id));

diesel::joinable!(orders -> pizzerias (pizzeria_id));

diesel::joinable!(orders -> users (user_id));

diesel::joinable!(order_lines -> orders (order_id));

diesel::joinable!(order_lines -> products (product_id));

diesel::joinable!(order_events -> orders (order_id));

diesel::joinable!(order_events -> pizzerias (pizzeria_id));

diesel::joinable!(order_events -> users (actor_user_id));

diesel::joinable!(stock_movements -> pizzerias (pizzeria_id));

diesel::joinable!(stock_movements -> ingredients (ingredient_id));

diesel::joinable!(stock_movements -> orders (order_id));

diesel::joinable!(stock_movements -> users (user_id));

diesel::joinable!(payments -> orders (order_id));

diesel::joinable!(payments -> users (recorded_by));

diesel::joinable!(refunds -> payments (payment_id));

diesel::joinable!(email_outbox -> orders (order_id));

diesel::joinable!(sessions -> users (user_id));

diesel::joinable!(idempotency_keys -> orders (order_id));

diesel::allow_tables_to_appear_in_same_query!(
    pizzerias,
    opening_hours,
    users,
    staff_memberships,
    customer_addresses,
    ingredients,
    products,
    recipe_lines,
    recipe_steps,
    menu_items,
    stock_levels,
    orders,
    order_lines,
    order_events,
    stock_movements,
    payments,
    refunds,
    webhook_events,
    email_outbox,
    sessions,
    idempotency_keys,
    login_attempts,
    order_numbers,
    account_tokens,
    menu_changes,
    pizzeria_closures,
);
