/* Prints the effective uid.  Installed setuid-root in a test image: with no-new-privileges the
 * bit is inert and this prints the caller's uid; without, 0. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
        printf("%d\n", (int) geteuid());
        return 0;
}
