package com.gururmm.cli.releases;

/** The two tags SPEC section 6 knows; an enum so picocli refuses anything else before a request is made. */
enum Channel {
    stable, beta
}
