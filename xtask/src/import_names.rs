//! Short names for what the designer's wasm imports from its JavaScript glue.
//!
//! wasm-bindgen names each import after the JavaScript it calls plus a hash
//! (`__wbg_addEventListener_90e553fdce254421`): about 200 of them, 11 KB of the module, the
//! hashes incompressible. The module only needs them to match the glue's import object, so
//! [`shorten`] gives each a name of a letter or two, in the module and in the glue alike.

/// Renames every import of `module` from the glue (`glue_module`, e.g. `./knflow_ui_bg.js`) to
/// a short name, the module they come from to `w`, and the same keys in `glue`'s import object;
/// returns the new glue. Refuses when a name is not defined exactly once in `glue`, as
/// `name: function(` (the build stops: a module and glue that disagree cannot start).
pub fn shorten(
    module: &mut walrus::Module,
    glue_module: &str,
    glue: &str,
) -> Result<String, String> {
    let mut out = glue.to_string();
    let module_key = format!("\"{glue_module}\": ");
    if out.matches(&module_key).count() != 1 {
        return Err(format!("the glue names {glue_module} other than once"));
    }
    out = out.replace(&module_key, "w: ");
    let mut n = 0;
    for import in module.imports.iter_mut() {
        if import.module != glue_module {
            continue;
        }
        let old = std::mem::take(&mut import.name);
        let new = short_name(n);
        n += 1;
        let key = format!("{old}: function(");
        // The name as a whole word: another may extend it (`__wbg_x_…` and `__wbg_x_y_…`).
        let whole = |text: &str| {
            text.match_indices(&old)
                .filter(|(at, _)| {
                    let before = text[..*at].chars().next_back();
                    let after = text[at + old.len()..].chars().next();
                    !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
                })
                .count()
        };
        if whole(&out) != 1 || out.matches(&key).count() != 1 {
            return Err(format!(
                "the glue does not define {old} exactly once as an import"
            ));
        }
        out = out.replacen(&key, &format!("{new}: function("), 1);
        import.name = new;
        import.module = "w".into();
    }
    Ok(out)
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// `a` … `z`, `A` … `Z`, then `aa`, `ab`, …: the `n`th short name.
fn short_name(mut n: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = Vec::new();
    loop {
        name.push(LETTERS[n % LETTERS.len()]);
        n /= LETTERS.len();
        if n == 0 {
            break;
        }
        n -= 1;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = r#"function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_log_0123456789abcdef: function(arg0) {
            console.log(arg0);
        },
        __wbg_log_extra_fedcba9876543210: function(arg0) {
            console.log('extra', arg0);
        },
    };
    return {
        __proto__: null,
        "./app_bg.js": import0,
    };
}"#;

    fn module() -> walrus::Module {
        let mut module = walrus::Module::default();
        let ty = module.types.add(&[walrus::ValType::I32], &[]);
        for name in [
            "__wbg_log_0123456789abcdef",
            "__wbg_log_extra_fedcba9876543210",
        ] {
            module.add_import_func("./app_bg.js", name, ty);
        }
        module.add_import_func("env", "memcpy_like", ty);
        module
    }

    #[test]
    fn imports_get_short_names_in_the_module_and_the_glue_alike() {
        let mut m = module();
        let glue = shorten(&mut m, "./app_bg.js", GLUE).unwrap();
        let names: Vec<(String, String)> = m
            .imports
            .iter()
            .map(|i| (i.module.clone(), i.name.clone()))
            .collect();
        assert_eq!(
            names,
            [
                ("w".into(), "a".into()),
                ("w".into(), "b".into()),
                ("env".into(), "memcpy_like".into())
            ]
        );
        assert!(glue.contains("        a: function(arg0) {\n            console.log(arg0);"));
        assert!(glue.contains("        b: function(arg0) {\n            console.log('extra'"));
        assert!(glue.contains("        w: import0,"));
        assert!(!glue.contains("__wbg_log"));
    }

    #[test]
    fn a_name_the_glue_does_not_define_once_is_refused() {
        let mut m = module();
        let glue = GLUE.replace(
            "__wbg_log_extra_fedcba9876543210: function",
            "other: function",
        );
        let err = shorten(&mut m, "./app_bg.js", &glue).unwrap_err();
        assert!(err.contains("__wbg_log_extra_fedcba9876543210"), "{err}");
        let mut m = module();
        let twice = GLUE.replace("console.log(arg0);", "__wbg_log_0123456789abcdef(arg0);");
        assert!(shorten(&mut m, "./app_bg.js", &twice).is_err());
    }

    #[test]
    fn short_names_count_in_letters() {
        let names: Vec<String> = [0, 25, 26, 51, 52, 53, 52 + 52 * 52 - 1, 52 + 52 * 52]
            .into_iter()
            .map(short_name)
            .collect();
        assert_eq!(names, ["a", "z", "A", "Z", "aa", "ab", "ZZ", "aaa"]);
    }
}
