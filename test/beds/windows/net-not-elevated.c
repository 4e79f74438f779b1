/*
 * Stands in for %SystemRoot%\System32\net.exe in a test prefix, answering `net session` as
 * Windows' own net.exe does in a prompt that is not elevated ("System error 5 ... Access is
 * denied.", exit code 2). Wine runs every program with full rights and its net.exe does not
 * implement `session`, so this is the only way to put Divest in front of a non-administrator
 * answer under Wine. Built with Debian's mingw-w64 (x86_64-w64-mingw32-gcc -municode).
 */
#include <stdio.h>

int wmain(void) {
  fputs("System error 5 has occurred.\r\n\r\nAccess is denied.\r\n\r\n", stderr);
  return 2;
}
