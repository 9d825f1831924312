//! QR codes of links, as SVG to show and as PNG to download, and the `data:` URLs
//! the console hands them out in.

use crate::error::{Error, Result};

/// A QR code of `url` as SVG.
pub fn qr_svg(url: &str) -> Result<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build())
}

/// Pixels a module of the PNG.
const PNG_SCALE: usize = 8;
/// Light modules around the code, as the QR standard asks, so scanners find it.
const PNG_QUIET_ZONE: usize = 4;

/// A QR code of `url` as PNG: 8-bit grayscale, 8 pixels a module, with the quiet
/// zone. The QR matrix comes from qrcode, the file from the png crate.
pub fn qr_png(url: &str) -> Result<Vec<u8>> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    let (modules, scale, quiet) = (code.width(), PNG_SCALE, PNG_QUIET_ZONE);
    let size = (modules + 2 * quiet) * scale;
    let mut pixels = vec![255u8; size * size];
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + quiet, i / modules + quiet);
        for y in my * scale..(my + 1) * scale {
            if let Some(line) = pixels.get_mut(y * size + mx * scale..y * size + (mx + 1) * scale) {
                line.fill(0);
            }
        }
    }
    let side = u32::try_from(size).map_err(|_| Error::Internal("QR code: too large for a PNG".into()))?;
    let fail = |e: png::EncodingError| Error::Internal(format!("QR code PNG: {e}"));
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(&pixels).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}

/// A `data:` URL (base64) for a download made on the server.
pub fn data_url(mime: &str, bytes: &[u8]) -> String {
    use base64::Engine as _;
    format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_codes_render_as_svg_and_png() {
        let svg = qr_svg("https://forms.example.com/f/abc#secret").unwrap();
        assert!(svg.starts_with("<?xml") || svg.contains("<svg"));
        let png = qr_png("https://forms.example.com/f/abc#secret").unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert!(data_url("image/png", &png).starts_with("data:image/png;base64,iVBOR"));
    }

    #[test]
    fn the_png_decodes_to_the_code_scaled_with_its_quiet_zone() {
        let url = "https://forms.example.com/f/abc#secret";
        let png = qr_png(url).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "the PNG signature");

        let modules = qrcode::QrCode::new(url.as_bytes()).unwrap().width();
        let side = PNG_SCALE * (modules + 2 * PNG_QUIET_ZONE);
        let mut reader = png::Decoder::new(std::io::Cursor::new(png.as_slice())).read_info().unwrap();
        let info = reader.info();
        assert_eq!((info.width as usize, info.height as usize), (side, side));
        assert_eq!((info.color_type, info.bit_depth), (png::ColorType::Grayscale, png::BitDepth::Eight));

        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut pixels).unwrap();
        assert_eq!(pixels.len(), side * side);
        // The quiet zone is light; the finder pattern's corner just inside it is dark.
        let at = |x: usize, y: usize| pixels[y * side + x];
        let inside = PNG_QUIET_ZONE * PNG_SCALE;
        assert!((0..side).all(|x| at(x, 0) == 255 && at(x, inside - 1) == 255));
        assert_eq!(at(inside, inside), 0);
        assert_eq!(at(side - inside - 1, inside), 0, "the top-right finder pattern");
        assert!(pixels.iter().all(|&p| p == 0 || p == 255));
    }
}
