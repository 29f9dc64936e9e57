use uplift_domain::policy::{presets, Policy};

#[test]
fn every_preset_loads() {
    for (name, text) in presets() {
        match Policy::parse(name, text) {
            Ok(p) => assert_eq!(&p.name, name),
            Err(errs) => panic!(
                "{}",
                errs.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
    }
}
