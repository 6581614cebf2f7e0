/* Stand-in for Debian 12's libicuuc.so.72 on the device machine (tests/device/README.md).
 * Debian's libxml2.so.2 is linked against ICU (bound at load time, BIND_NOW) for character
 * encodings that iconv lacks; ICU's data library alone is 30 MiB. Graft writes JUnit XML in
 * UTF-8 only, so no converter is ever opened: ucnv_open fails (U_FILE_ACCESS_ERROR, as for a
 * converter ICU does not know) and libxml2 falls back to iconv. The list is what libxml2 2.9.14
 * imports (prepare.sh checks that nothing is left unresolved).
 * Built by prepare.sh: cc -shared -fPIC -Wl,-soname,libicuuc.so.72 */
#include <stddef.h>

void* ucnv_open_72(const char* name, int* error) {
  (void)name;
  if (error) *error = 4; /* U_FILE_ACCESS_ERROR */
  return NULL;
}
void ucnv_close_72(void* converter) {
  (void)converter;
}
void ucnv_convertEx_72(void) {}
void ucnv_setFromUCallBack_72(void) {}
void ucnv_setToUCallBack_72(void) {}
void UCNV_FROM_U_CALLBACK_STOP_72(void) {}
void UCNV_TO_U_CALLBACK_STOP_72(void) {}
