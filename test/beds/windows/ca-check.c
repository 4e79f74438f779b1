/*
 * The custom action of the bed's password-protected and failing packages, as a Windows
 * Installer package runs it at uninstall (a deferred EXE custom action with Return="check": a
 * non-zero exit code makes msiexec roll back and answer 1603).
 *
 *   ca-check.exe /fail                        always fails (a broken uninstall)
 *   ca-check.exe /password GIVEN EXPECTED     fails unless GIVEN equals EXPECTED (KES's KLPASSWD)
 * Built with Debian's mingw-w64 (x86_64-w64-mingw32-gcc -municode).
 */
#include <wchar.h>

int wmain(int argc, wchar_t **argv) {
  if (argc >= 2 && _wcsicmp(argv[1], L"/fail") == 0) return 1;
  if (argc >= 4 && _wcsicmp(argv[1], L"/password") == 0) return wcscmp(argv[2], argv[3]) == 0 ? 0 : 1;
  return 2;
}
