//! CSS colour values as the browser computes them (`rgb(…)`, `rgba(…)`, `color(srgb …)`) and
//! as authors write them (hex, a few names), and alpha compositing.

/// An RGBA colour from a CSS value; alpha is 0–255. `None` for anything else (`currentcolor`,
/// gradients, wide-gamut spaces other than sRGB).
pub fn parse_css_color(value: &str) -> Option<[u8; 4]> {
    let v = value.trim().to_ascii_lowercase();
    if v.len() > 200 {
        return None;
    }
    if let Some(hex) = v.strip_prefix('#') {
        return parse_hex(hex);
    }
    if let Some(args) = function_args(&v, "rgba").or_else(|| function_args(&v, "rgb")) {
        return parse_rgb_args(args);
    }
    if let Some(args) = function_args(&v, "color") {
        return parse_srgb_color(args);
    }
    named(&v)
}

fn function_args<'a>(v: &'a str, name: &str) -> Option<&'a str> {
    v.strip_prefix(name)?
        .trim_start()
        .strip_prefix('(')?
        .strip_suffix(')')
}

fn parse_hex(hex: &str) -> Option<[u8; 4]> {
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| u8::from_str_radix(hex.get(i..i + 1)?, 16).ok();
    let pair = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    match hex.len() {
        3 | 4 => {
            let mut out = [255u8; 4];
            for (i, slot) in out.iter_mut().enumerate().take(hex.len()) {
                *slot = digit(i)? * 17;
            }
            Some(out)
        }
        6 | 8 => {
            let mut out = [255u8; 4];
            for (i, slot) in out.iter_mut().enumerate().take(hex.len() / 2) {
                *slot = pair(i * 2)?;
            }
            Some(out)
        }
        _ => None,
    }
}

/// `1, 2, 3`, `1, 2, 3, 0.5`, `1 2 3 / 50%`, `100% 0% 0%`.
fn parse_rgb_args(args: &str) -> Option<[u8; 4]> {
    let (channels, alpha) = split_alpha(args);
    let parts: Vec<&str> = channels
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    let (rgb, alpha) = match (parts.as_slice(), alpha) {
        ([r, g, b], a) => ([*r, *g, *b], a),
        ([r, g, b, a], None) => ([*r, *g, *b], Some(*a)),
        _ => return None,
    };
    let mut out = [0u8; 4];
    for (slot, part) in out.iter_mut().zip(rgb) {
        *slot = parse_channel(part)?;
    }
    out[3] = alpha.map_or(Some(255), parse_alpha)?;
    Some(out)
}

/// `srgb 0.1 0.2 0.3 / 0.5`: Chromium's serialisation of some computed colours.
fn parse_srgb_color(args: &str) -> Option<[u8; 4]> {
    let (channels, alpha) = split_alpha(args);
    let mut parts = channels.split_whitespace();
    if parts.next()? != "srgb" {
        return None;
    }
    let mut out = [0u8; 4];
    for slot in out.iter_mut().take(3) {
        let part = parts.next()?;
        let unit = match part.strip_suffix('%') {
            Some(p) => p.parse::<f64>().ok()? / 100.0,
            None => part.parse::<f64>().ok()?,
        };
        *slot = to_byte(unit * 255.0)?;
    }
    if parts.next().is_some() {
        return None;
    }
    out[3] = alpha.map_or(Some(255), parse_alpha)?;
    Some(out)
}

fn split_alpha(args: &str) -> (&str, Option<&str>) {
    match args.split_once('/') {
        Some((c, a)) => (c, Some(a.trim())),
        None => (args, None),
    }
}

fn parse_channel(part: &str) -> Option<u8> {
    match part.strip_suffix('%') {
        Some(p) => to_byte(p.parse::<f64>().ok()? * 2.55),
        None => to_byte(part.parse::<f64>().ok()?),
    }
}

fn parse_alpha(part: &str) -> Option<u8> {
    let part = part.trim();
    let unit = match part.strip_suffix('%') {
        Some(p) => p.parse::<f64>().ok()? / 100.0,
        None => part.parse::<f64>().ok()?,
    };
    to_byte(unit * 255.0)
}

fn to_byte(v: f64) -> Option<u8> {
    v.is_finite().then(|| v.round().clamp(0.0, 255.0) as u8)
}

fn named(name: &str) -> Option<[u8; 4]> {
    Some(match name {
        "transparent" => [0, 0, 0, 0],
        "black" => [0, 0, 0, 255],
        "white" => [255, 255, 255, 255],
        "red" => [255, 0, 0, 255],
        "green" => [0, 128, 0, 255],
        "lime" => [0, 255, 0, 255],
        "blue" => [0, 0, 255, 255],
        "yellow" => [255, 255, 0, 255],
        "orange" => [255, 165, 0, 255],
        "purple" => [128, 0, 128, 255],
        "gray" | "grey" => [128, 128, 128, 255],
        "silver" => [192, 192, 192, 255],
        "navy" => [0, 0, 128, 255],
        "teal" => [0, 128, 128, 255],
        "maroon" => [128, 0, 0, 255],
        _ => return None,
    })
}

/// `fg` drawn over the opaque `bg`, with `fg`'s alpha.
pub fn composite_over(fg: [u8; 4], bg: [u8; 3]) -> [u8; 3] {
    let a = f64::from(fg[3]) / 255.0;
    let mix = |f: u8, b: u8| (f64::from(f) * a + f64::from(b) * (1.0 - a)).round() as u8;
    [mix(fg[0], bg[0]), mix(fg[1], bg[1]), mix(fg[2], bg[2])]
}

/// `rgb(r, g, b)`, as Chromium serialises computed colours.
pub fn format_rgb(rgb: [u8; 3]) -> String {
    format!("rgb({}, {}, {})", rgb[0], rgb[1], rgb[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computed_style_forms() {
        assert_eq!(
            parse_css_color("rgb(118, 118, 118)"),
            Some([118, 118, 118, 255])
        );
        assert_eq!(parse_css_color("rgba(0, 0, 0, 0)"), Some([0, 0, 0, 0]));
        assert_eq!(
            parse_css_color("rgba(255, 255, 255, 0.5)"),
            Some([255, 255, 255, 128])
        );
        assert_eq!(
            parse_css_color("rgb(10 20 30 / 50%)"),
            Some([10, 20, 30, 128])
        );
        assert_eq!(parse_css_color("rgb(100%, 0%, 0%)"), Some([255, 0, 0, 255]));
        assert_eq!(
            parse_css_color("color(srgb 1 0.5 0 / 0.25)"),
            Some([255, 128, 0, 64])
        );
    }

    #[test]
    fn authored_forms() {
        assert_eq!(parse_css_color("#767676"), Some([118, 118, 118, 255]));
        assert_eq!(parse_css_color("#FFF"), Some([255, 255, 255, 255]));
        assert_eq!(parse_css_color("#0008"), Some([0, 0, 0, 136]));
        assert_eq!(parse_css_color("#11223380"), Some([17, 34, 51, 128]));
        assert_eq!(parse_css_color("transparent"), Some([0, 0, 0, 0]));
        assert_eq!(parse_css_color("White"), Some([255, 255, 255, 255]));
    }

    #[test]
    fn garbage_is_none() {
        for bad in [
            "",
            "#12",
            "#ggg",
            "#ééé",
            "rgb(1, 2)",
            "rgb(1, 2, 3, 4, 5)",
            "rgb(a, b, c)",
            "linear-gradient(red, blue)",
            "currentcolor",
            "color(display-p3 1 0 0)",
            "rgb(NaN, 0, 0)",
        ] {
            assert_eq!(parse_css_color(bad), None, "{bad:?}");
        }
        // Out-of-range channels clamp as CSS does.
        assert_eq!(parse_css_color("rgb(300, -5, 0)"), Some([255, 0, 0, 255]));
    }

    #[test]
    fn compositing() {
        assert_eq!(composite_over([0, 0, 0, 255], [255, 255, 255]), [0, 0, 0]);
        assert_eq!(composite_over([0, 0, 0, 0], [10, 20, 30]), [10, 20, 30]);
        assert_eq!(
            composite_over([0, 0, 0, 128], [255, 255, 255]),
            [127, 127, 127]
        );
        assert_eq!(format_rgb([1, 2, 3]), "rgb(1, 2, 3)");
    }
}
