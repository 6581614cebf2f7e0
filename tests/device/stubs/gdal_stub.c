/* Stand-in for Debian 12's libgdal.so.32 on the device machine (tests/device/README.md).
 * Debian's libopencv_imgcodecs.so.406 is linked against GDAL (for IMREAD_LOAD_GDAL only) and is
 * bound at load time (BIND_NOW), so every GDAL symbol it imports must exist, but GDAL itself
 * would bring ~60 MiB of libraries (PROJ, poppler, spatialite, netCDF, ...). Graft never asks
 * for IMREAD_LOAD_GDAL; OpenCV only calls GDALAllRegister() when its decoder list is built and
 * checks GDAL's signatures (NITF, DTED) in its own code. These functions do nothing: GDALOpen
 * fails, so a GDAL-only file reads as unreadable. The list is what imgcodecs 4.6.0 imports
 * (prepare.sh checks that nothing is left unresolved).
 * Built by prepare.sh: cc -shared -fPIC -Wl,-soname,libgdal.so.32 */
#include <stddef.h>

#define STUB_PTR(name) \
  void* name(void) {   \
    return NULL;       \
  }
#define STUB_INT(name) \
  int name(void) {     \
    return 0;          \
  }
#define STUB_VOID(name) \
  void name(void) {}

STUB_VOID(GDALAllRegister)
STUB_VOID(GDALClose)
STUB_PTR(GDALGetDataTypeName)
STUB_PTR(GDALOpen)
/* C++ members (mangled names): GDALDataset, GDALRasterBand, GDALColorTable */
STUB_PTR(_ZN11GDALDataset13GetRasterBandEi)
STUB_INT(_ZN11GDALDataset14GetRasterCountEv)
STUB_INT(_ZN11GDALDataset14GetRasterXSizeEv)
STUB_INT(_ZN11GDALDataset14GetRasterYSizeEv)
STUB_INT(_ZN14GDALRasterBand17GetRasterDataTypeEv)
STUB_INT(_ZN14GDALRasterBand8GetXSizeEv)
STUB_INT(_ZN14GDALRasterBand8GetYSizeEv)
STUB_INT(_ZN14GDALRasterBand8RasterIOE10GDALRWFlagiiiiPvii12GDALDataTypexxP20GDALRasterIOExtraArg)
STUB_PTR(_ZNK14GDALColorTable13GetColorEntryEi)
STUB_INT(_ZNK14GDALColorTable24GetPaletteInterpretationEv)
