/*
 * Writes an Adobe YCCK JPEG (4 components, Adobe transform 2) from raw CMYK bytes, the flavour Photoshop writes for
 * CMYK images and PIL cannot write. Used by make_pil_fixtures.py; libjpeg converts CMYK to YCCK as it encodes.
 *   cc -O2 -o ycck_jpeg ycck_jpeg.c -ljpeg && ./ycck_jpeg WIDTH HEIGHT < cmyk.raw > out.jpg
 */
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: ycck_jpeg WIDTH HEIGHT < cmyk.raw > out.jpg\n");
        return 2;
    }
    int width = atoi(argv[1]);
    int height = atoi(argv[2]);
    size_t row = (size_t)width * 4;
    unsigned char *pixels = malloc(row * height);
    if (fread(pixels, 1, row * height, stdin) != row * height) {
        fprintf(stderr, "ycck_jpeg: expected %zu bytes of CMYK\n", row * height);
        return 1;
    }
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, stdout);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 4;
    cinfo.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    jpeg_set_colorspace(&cinfo, JCS_YCCK); /* also makes libjpeg write the Adobe marker with transform 2 */
    jpeg_set_quality(&cinfo, 92, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW r = pixels + cinfo.next_scanline * row;
        jpeg_write_scanlines(&cinfo, &r, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    free(pixels);
    return 0;
}
