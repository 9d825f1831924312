//! QR codes of links, as SVG to show and as PNG to download, and the `data:` URLs
//! the console hands them out in.

use crate::error::{Error, Result};

/// A QR code of `url` as SVG.
pub fn qr_svg(url: &str) -> Result<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build())
}

/// A QR code of `url` as PNG (8 pixels a module, with the quiet zone).
pub fn qr_png(url: &str) -> Result<Vec<u8>> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    let (modules, scale, quiet) = (code.width(), 8usize, 4usize);
    let size = (modules + 2 * quiet) * scale;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; size * size];
    for (i, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + quiet, i / modules + quiet);
        for y in my * scale..(my + 1) * scale {
            pixels[y * size + mx * scale..y * size + (mx + 1) * scale].fill(0);
        }
    }
    Ok(png_grayscale(size, size, &pixels))
}

/// A grayscale PNG (8 bits, no compression: QR codes are small and the file is a
/// download, not page weight).
fn png_grayscale(width: usize, height: usize, pixels: &[u8]) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    // Scanlines, each with filter type 0.
    let mut raw = Vec::with_capacity((width + 1) * height);
    for row in pixels.chunks(width).take(height) {
        raw.push(0);
        raw.extend_from_slice(row);
    }
    // zlib: header, stored deflate blocks, Adler-32.
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&(width as u32).to_be_bytes());
    header.extend_from_slice(&(height as u32).to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]); // 8 bits, grayscale, deflate, no filter, no interlace
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
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
}
