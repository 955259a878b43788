//! [`plot_image_grid`]: many small grey images (digits, reconstructions, convolution filters)
//! tiled into one PNG file.
//!
//! The PNG is 8-bit greyscale, written by the `png` crate: pixel images need no plotting
//! backend.

use super::PlotError;
use diffprog_dual::Real;
use std::path::Path;

/// How the numbers of an image become grey levels (0 = black, 255 = white).
///
/// ```
/// use diffprog_nn::plot::{GreyScale, ImageGrid};
///
/// let one = |scale| ImageGrid::new(1, 3, 1).zoom(1).gap(0).scale(scale).render(&[-1.0f64, 0.5, 3.0]).2;
/// assert_eq!(one(GreyScale::Fixed(0.0, 1.0)), [0, 128, 255]); // clamped
/// assert_eq!(one(GreyScale::PerImage), [0, 96, 255]); // −1 → black, 3 → white
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GreyScale {
    /// `lo` is black, `hi` white, values outside clamped (`Fixed(0.0, 1.0)` for pixels in
    /// `[0, 1]`).
    Fixed(f64, f64),
    /// Each image stretched from its own minimum (black) to its maximum (white): for filters and
    /// other signed weights. A constant image is mid-grey.
    PerImage,
}

/// The layout of an image grid: each image `height × width` numbers (row-major), `columns`
/// images per row of the grid, each pixel drawn as a `zoom × zoom` square, `gap` pixels (of the
/// zoomed size) of border between and around the images.
///
/// ```
/// use diffprog_nn::plot::ImageGrid;
///
/// // 64 images of 28×28, 8 per row, each pixel 2×2, a 2-pixel border
/// let grid = ImageGrid::new(28, 28, 8).zoom(2).gap(2);
/// assert_eq!(grid.size(64), (8 * 56 + 9 * 2, 8 * 56 + 9 * 2));
/// assert_eq!(grid.size(3), (3 * 56 + 4 * 2, 56 + 2 * 2)); // one short row
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImageGrid {
    /// Rows of one image.
    pub height: usize,
    /// Columns of one image.
    pub width: usize,
    /// Images per row of the grid.
    pub columns: usize,
    /// Output pixels per image pixel, along each axis.
    pub zoom: usize,
    /// Border between and around the images, in output pixels.
    pub gap: usize,
    /// How values map to grey levels.
    pub scale: GreyScale,
    /// The grey level of the border.
    pub background: u8,
}

impl ImageGrid {
    /// Images of `height × width`, `columns` per row, zoom 4, a 4-pixel mid-grey (128) border,
    /// values in `[0, 1]` ([`GreyScale::Fixed(0.0, 1.0)`](GreyScale::Fixed)).
    pub fn new(height: usize, width: usize, columns: usize) -> Self {
        ImageGrid {
            height,
            width,
            columns,
            zoom: 4,
            gap: 4,
            scale: GreyScale::Fixed(0.0, 1.0),
            background: 128,
        }
    }
    /// Sets the zoom (builder style).
    pub fn zoom(mut self, zoom: usize) -> Self {
        self.zoom = zoom;
        self
    }
    /// Sets the grey scale (builder style).
    pub fn scale(mut self, scale: GreyScale) -> Self {
        self.scale = scale;
        self
    }
    /// Sets the border width (builder style).
    pub fn gap(mut self, gap: usize) -> Self {
        self.gap = gap;
        self
    }

    /// `(width, height)` in pixels of the grid of `count` images.
    pub fn size(&self, count: usize) -> (usize, usize) {
        let cols = self.columns.min(count).max(1);
        let rows = count.div_ceil(self.columns.max(1)).max(1);
        (
            cols * self.width * self.zoom + (cols + 1) * self.gap,
            rows * self.height * self.zoom + (rows + 1) * self.gap,
        )
    }

    fn check(&self, len: usize) {
        assert!(
            self.height > 0 && self.width > 0 && self.columns > 0 && self.zoom > 0,
            "ImageGrid: height ({}), width ({}), columns ({}) and zoom ({}) must be positive",
            self.height,
            self.width,
            self.columns,
            self.zoom
        );
        assert!(
            len.is_multiple_of(self.height * self.width),
            "plot_image_grid: {len} values are not whole images of {} × {} = {}",
            self.height,
            self.width,
            self.height * self.width
        );
        if let GreyScale::Fixed(lo, hi) = self.scale {
            assert!(
                lo < hi,
                "GreyScale::Fixed({lo}, {hi}): the black level must be below the white level"
            );
        }
    }

    /// The grid as grey levels, row-major, [`size`](Self::size) pixels: what
    /// [`plot_image_grid`] encodes.
    ///
    /// # Panics
    /// If a dimension is zero, `images.len()` is not a multiple of `height × width`, or a fixed
    /// scale has `lo >= hi`.
    ///
    /// ```
    /// use diffprog_nn::plot::ImageGrid;
    ///
    /// // two 1×2 images side by side, zoom 1, a 1-pixel border of 128
    /// let grid = ImageGrid::new(1, 2, 2).zoom(1).gap(1);
    /// let (w, h, px) = grid.render(&[0.0f32, 1.0, 0.5, 2.0]);
    /// assert_eq!((w, h), (7, 3));
    /// assert_eq!(&px[7..14], &[128, 0, 255, 128, 128, 255, 128]);
    /// ```
    pub fn render<F: Real>(&self, images: &[F]) -> (usize, usize, Vec<u8>) {
        self.check(images.len());
        let n_px = self.height * self.width;
        let count = images.len() / n_px;
        let (w, h) = self.size(count);
        let mut out = vec![self.background; w * h];
        for (k, img) in images.chunks_exact(n_px).enumerate() {
            let (lo, hi) = match self.scale {
                GreyScale::Fixed(lo, hi) => (lo, hi),
                GreyScale::PerImage => img
                    .iter()
                    .map(|&v| Real::to_f64(v))
                    .filter(|v| v.is_finite())
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                        (a.min(v), b.max(v))
                    }),
            };
            let grey = |v: f64| -> u8 {
                // a constant (or all non-finite) image: hi ≤ lo, or a NaN/∞ bound
                if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
                    return 128;
                }
                if v.is_nan() {
                    return 0;
                }
                let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
                (t * 255.0).round() as u8
            };
            let x0 = self.gap + (k % self.columns) * (self.width * self.zoom + self.gap);
            let y0 = self.gap + (k / self.columns) * (self.height * self.zoom + self.gap);
            for r in 0..self.height * self.zoom {
                let row = &mut out[(y0 + r) * w + x0..(y0 + r) * w + x0 + self.width * self.zoom];
                for (c, px) in row.iter_mut().enumerate() {
                    *px = grey(Real::to_f64(
                        img[(r / self.zoom) * self.width + c / self.zoom],
                    ));
                }
            }
        }
        (w, h, out)
    }
}

/// Tiles `images` (each `grid.height × grid.width` numbers, row-major, one after the other) into
/// a grid of `grid.columns` images per row and writes it to `path` as an 8-bit greyscale PNG.
/// Values map to grey levels by `grid.scale`; see [`ImageGrid::render`] for the layout.
///
/// ```
/// use diffprog_nn::plot::{plot_image_grid, GreyScale, ImageGrid};
///
/// // 32 filters of 5×5, each stretched to its own range, 8 per row
/// let filters: Vec<f32> = (0..32 * 25).map(|i| (i as f32 * 0.37).sin()).collect();
/// let grid = ImageGrid::new(5, 5, 8).zoom(8).scale(GreyScale::PerImage);
/// let path = std::env::temp_dir().join(format!("doc-filters-{}.png", std::process::id()));
/// plot_image_grid(&path, &filters, &grid).unwrap();
/// assert!(std::fs::read(&path).unwrap().starts_with(b"\x89PNG"));
/// # std::fs::remove_file(&path).unwrap();
/// ```
///
/// # Errors
/// [`PlotError::NothingToPlot`] for no image, [`PlotError::Drawing`] if the file cannot be
/// written.
///
/// # Panics
/// As [`ImageGrid::render`].
pub fn plot_image_grid<F: Real>(
    path: impl AsRef<Path>,
    images: &[F],
    grid: &ImageGrid,
) -> Result<(), PlotError> {
    grid.check(images.len());
    if images.is_empty() {
        return Err(PlotError::NothingToPlot);
    }
    let (w, h, px) = grid.render(images);
    let png = encode_grey_png(w, h, &px);
    std::fs::write(path.as_ref(), png)
        .map_err(|e| PlotError::Drawing(format!("{}: {e}", path.as_ref().display())))
}

/// An 8-bit greyscale PNG of `width × height` pixels (row-major `pixels`).
fn encode_grey_png(width: usize, height: usize, pixels: &[u8]) -> Vec<u8> {
    assert_eq!(pixels.len(), width * height);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width as u32, height as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .expect("writing a PNG header to a Vec cannot fail");
    writer
        .write_image_data(pixels)
        .expect("the pixel buffer has the header's size");
    writer.finish().expect("writing a PNG to a Vec cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a PNG with the `png` crate (which checks the signature and every chunk's CRC):
    /// (width, height, pixels) of an 8-bit greyscale image.
    fn decode(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut px = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut px).unwrap();
        assert_eq!(
            (info.color_type, info.bit_depth),
            (png::ColorType::Grayscale, png::BitDepth::Eight)
        );
        px.truncate(info.buffer_size());
        (info.width as usize, info.height as usize, px)
    }

    #[test]
    fn the_png_holds_the_tiled_images() {
        // three 2×3 images, two per row, zoom 2, border 1: a grid of 2 × 2 cells, the last empty
        let a: Vec<f64> = (0..6).map(|v| v as f64 / 5.0).collect(); // 0 .. 1
        let b = vec![-1.0, 2.0, 0.5, 0.5, 0.5, 0.5]; // clamped to 0 and 255
        let c = vec![0.25; 6];
        let images: Vec<f64> = [a, b, c].concat();
        let grid = ImageGrid::new(2, 3, 2).zoom(2).gap(1);
        let path = std::env::temp_dir().join(format!("diffprog-grid-{}.png", std::process::id()));
        plot_image_grid(&path, &images, &grid).unwrap();
        let (w, h, px) = decode(&std::fs::read(&path).unwrap());
        let _ = std::fs::remove_file(&path);
        assert_eq!((w, h), (2 * 6 + 3, 2 * 4 + 3));
        assert_eq!((w, h), grid.size(3));
        let at = |x: usize, y: usize| px[y * w + x];
        // image a, pixel (row 1, col 2) = 1.0 → 255, drawn at x = 1 + 4..6, y = 1 + 2..4
        assert_eq!([at(5, 3), at(6, 4)], [255, 255]);
        assert_eq!(at(1, 1), 0); // a's first pixel
        assert_eq!(at(3, 1), (0.2f64 * 255.0).round() as u8); // a's (0, 1)
                                                              // image b starts at x = 1 + 6 + 1 = 8
        assert_eq!([at(8, 1), at(10, 1), at(12, 3)], [0, 255, 128]);
        // image c on the second grid row, y = 1 + 4 + 1 = 6
        assert_eq!(at(1, 6), 64);
        // borders and the empty cell are the background
        assert_eq!([at(0, 0), at(7, 2), at(1, 5), at(9, 7)], [128; 4]);
    }

    #[test]
    fn per_image_scale_stretches_each_image() {
        let images = [
            -2.0f32, 0.0, 2.0, /**/ 10.0, 11.0, 12.0, /**/ 5.0, 5.0, 5.0,
        ];
        let grid = ImageGrid::new(1, 3, 3)
            .zoom(1)
            .gap(0)
            .scale(GreyScale::PerImage);
        let (w, h, px) = grid.render(&images);
        assert_eq!((w, h), (9, 1));
        assert_eq!(px, [0, 128, 255, 0, 128, 255, 128, 128, 128]);
    }

    #[test]
    fn no_image_is_an_error_and_partial_images_panic() {
        let grid = ImageGrid::new(2, 2, 4);
        assert!(matches!(
            plot_image_grid("unused.png", &[] as &[f32], &grid),
            Err(PlotError::NothingToPlot)
        ));
        let r = std::panic::catch_unwind(|| grid.render(&[0.0f32; 5]));
        let msg = *r.unwrap_err().downcast::<String>().unwrap();
        assert!(msg.contains("not whole images of 2 × 2"), "{msg}");
    }

    #[test]
    fn an_unwritable_path_is_a_drawing_error() {
        let e = plot_image_grid(
            "/nonexistent/dir/grid.png",
            &[0.5f32; 4],
            &ImageGrid::new(2, 2, 1),
        )
        .unwrap_err();
        assert!(matches!(e, PlotError::Drawing(ref m) if m.contains("/nonexistent/dir")));
    }
}
