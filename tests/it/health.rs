use crate::each_backend;
use crate::harness::TestApp;

each_backend! {
    async fn the_process_says_it_is_alive(db) {
        let app = TestApp::with_demo(db).await;
        assert_eq!(app.get("/healthz").await, (200, "ok".to_string()));
    }

    async fn readiness_checks_the_database_and_migrations(db) {
        let app = TestApp::with_demo(db).await;
        let (status, body) = app.get("/readyz").await;
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["database"], "ok");
        assert_eq!(v["migrations"], "ok");
    }
}
