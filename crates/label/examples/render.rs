//! Writes a sample label as SVG and PNG and a sheet as HTML, to look at by eye:
//! `cargo run -p zhijian-label --example render -- /tmp/labels`.

use std::{env, fs, path::PathBuf};

use zhijian_label::{Label, png, sheet_html, svg};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(env::args().nth(1).unwrap_or_else(|| ".".to_owned()));
    fs::create_dir_all(&dir)?;
    let with_gtin = Label {
        code: "13409250872123486107",
        url: "https://node.example/01/06901234567892/21/13409250872123486107",
        gtin: Some("06901234567892"),
        caption: Some("五常稻花香大米 5kg 真空包装"),
    };
    let without_gtin = Label {
        code: "13409250872123486114",
        url: "https://node.example/q/13409250872123486114",
        gtin: None,
        caption: Some("Stainless steel kettle 1.7 L, model K-200"),
    };
    fs::write(dir.join("label.svg"), svg(&with_gtin)?)?;
    fs::write(dir.join("label.png"), png(&with_gtin, 4)?)?;
    fs::write(dir.join("label-no-gtin.png"), png(&without_gtin, 4)?)?;
    let labels: Vec<Label> = (0..12)
        .map(|i| if i % 2 == 0 { with_gtin } else { without_gtin })
        .collect();
    fs::write(
        dir.join("sheet.html"),
        sheet_html(&labels, "批次 2026-11 标签")?,
    )?;
    println!(
        "wrote label.svg, label.png, label-no-gtin.png and sheet.html to {}",
        dir.display()
    );
    Ok(())
}
