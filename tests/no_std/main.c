/* Links the no_std staticlib into a C program and runs the flow in it. */
#include <stdio.h>
#include <stddef.h>

size_t oauth2_pkce_no_std_flow(const unsigned char (*entropy)[64], unsigned long long now);

int main(void) {
    unsigned char entropy[64];
    for (int i = 0; i < 64; i++) entropy[i] = (unsigned char)(i * 7 + 3);
    size_t len = oauth2_pkce_no_std_flow(&entropy, 1700000000ULL);
    /* "Bearer " + "_0XBPWQQ_2a66dd33" */
    if (len != 24) {
        fprintf(stderr, "no_std flow failed: got %zu, want 24\n", len);
        return 1;
    }
    printf("no_std flow ok: Authorization value of %zu bytes\n", len);
    return 0;
}
