/*
 * A vendor EXE uninstaller, as per-user and non-MSI installers ship them (Inno Setup's
 * unins000.exe, NSIS's uninstall.exe): it reads what it installed from uninstall.dat beside it,
 * deletes those files and its Uninstall registry key, and exits 0.
 *
 * uninstall.dat, one item per line: the hive (HKLM or HKCU), the view (32 or 64), the Uninstall
 * subkey, then the install folder. Quiet only: without /S (or /VERYSILENT) it would show a
 * dialog, which a test bed cannot answer, so it exits 1602 (cancelled by the user) instead.
 * Built with Debian's mingw-w64 (x86_64-w64-mingw32-gcc -municode).
 */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

static void trim(wchar_t *s) {
  size_t n = wcslen(s);
  while (n > 0 && (s[n - 1] == L'\r' || s[n - 1] == L'\n' || s[n - 1] == L' ')) s[--n] = 0;
}

/* Deletes every file in dir except `keep` (sub-folders are not expected in the bed). */
static void delete_files(const wchar_t *dir, const wchar_t *keep) {
  wchar_t pattern[MAX_PATH * 2];
  swprintf(pattern, MAX_PATH * 2, L"%ls\\*", dir);
  WIN32_FIND_DATAW fd;
  HANDLE h = FindFirstFileW(pattern, &fd);
  if (h == INVALID_HANDLE_VALUE) return;
  do {
    if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) continue;
    wchar_t full[MAX_PATH * 2];
    swprintf(full, MAX_PATH * 2, L"%ls\\%ls", dir, fd.cFileName);
    if (_wcsicmp(full, keep) != 0) DeleteFileW(full);
  } while (FindNextFileW(h, &fd));
  FindClose(h);
}

int wmain(int argc, wchar_t **argv) {
  int quiet = 0;
  for (int i = 1; i < argc; i++)
    if (_wcsicmp(argv[i], L"/S") == 0 || _wcsicmp(argv[i], L"/VERYSILENT") == 0) quiet = 1;
  if (!quiet) return 1602;

  wchar_t self[MAX_PATH];
  GetModuleFileNameW(NULL, self, MAX_PATH);
  wchar_t dat[MAX_PATH + 32];
  wcscpy(dat, self);
  wchar_t *slash = wcsrchr(dat, L'\\');
  if (!slash) return 3;
  wcscpy(slash + 1, L"uninstall.dat");

  FILE *f = _wfopen(dat, L"r, ccs=UTF-8");
  if (!f) return 2;
  wchar_t hive[16] = L"", view[16] = L"", subkey[1024] = L"", dir[MAX_PATH] = L"";
  if (!fgetws(hive, 16, f) || !fgetws(view, 16, f) || !fgetws(subkey, 1024, f) || !fgetws(dir, MAX_PATH, f)) {
    fclose(f);
    return 2;
  }
  fclose(f);
  trim(hive);
  trim(view);
  trim(subkey);
  trim(dir);

  HKEY root = _wcsicmp(hive, L"HKCU") == 0 ? HKEY_CURRENT_USER : HKEY_LOCAL_MACHINE;
  REGSAM sam = wcscmp(view, L"32") == 0 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY;
  delete_files(dir, self);
  LONG r = RegDeleteKeyExW(root, subkey, sam, 0);
  if (r != ERROR_SUCCESS && r != ERROR_FILE_NOT_FOUND) return 4;
  /* A running program cannot always delete itself: what is left goes at the next restart. */
  if (!DeleteFileW(self)) MoveFileExW(self, NULL, MOVEFILE_DELAY_UNTIL_REBOOT);
  if (!RemoveDirectoryW(dir)) MoveFileExW(dir, NULL, MOVEFILE_DELAY_UNTIL_REBOOT);
  return 0;
}
