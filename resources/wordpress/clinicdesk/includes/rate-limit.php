<?php
/**
 * Rate limiting of the consultation form: per client address, counted atomically.
 *
 * The client address is REMOTE_ADDR, unless REMOTE_ADDR is one of the trusted proxies of the
 * setting `clinicdesk_trusted_proxies`: then it is the nearest address in X-Forwarded-For that is
 * not itself a trusted proxy. A forwarded address from anyone else is ignored (any client can write
 * the header). IPv6 clients are counted per /64, the smallest network a household or a phone
 * usually gets, so that hopping between addresses of one network does not reset the count.
 *
 * Counting is one atomic operation: an increment in the persistent object cache when the site has
 * one, else one SQL statement on the plugin's rate table (INSERT ... ON DUPLICATE KEY UPDATE), so
 * parallel submissions cannot all read the same count and each write back "one more". Buckets are
 * keyed by a keyed hash of the address: the table holds no address.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/**
 * The consultation rate limit: the option `clinicdesk_consultation_rate` as "COUNT/SECONDS".
 *
 * @return array{0: int, 1: int} The number of submissions allowed per window, and the window.
 */
function clinicdesk_rate(): array {
	$option = (string) get_option( 'clinicdesk_consultation_rate', CLINICDESK_DEFAULT_RATE );
	if ( ! preg_match( '#^\s*(\d+)\s*/\s*(\d+)\s*$#', $option, $match ) || (int) $match[2] < 1 ) {
		preg_match( '#^(\d+)/(\d+)$#', CLINICDESK_DEFAULT_RATE, $match );
	}
	return array( (int) $match[1], (int) $match[2] );
}

/**
 * Parses an address or a CIDR range.
 *
 * @param string $entry "192.0.2.1", "10.0.0.0/8", "2001:db8::/32".
 * @return array{0: string, 1: int}|null The packed address and the prefix length; null if invalid.
 */
function clinicdesk_parse_cidr( string $entry ): ?array {
	$parts   = explode( '/', trim( $entry ), 2 );
	$address = filter_var( $parts[0], FILTER_VALIDATE_IP );
	if ( false === $address ) {
		return null;
	}
	$packed = inet_pton( $address );
	if ( false === $packed ) {
		return null;
	}
	$bits = strlen( $packed ) * 8;
	if ( isset( $parts[1] ) ) {
		if ( ! ctype_digit( $parts[1] ) || (int) $parts[1] > $bits ) {
			return null;
		}
		$bits = (int) $parts[1];
	}
	return array( $packed, $bits );
}

/**
 * Whether an address lies in a range.
 *
 * @param string $packed The packed address (inet_pton()).
 * @param array  $range  The packed range address and its prefix length (clinicdesk_parse_cidr()).
 */
function clinicdesk_in_range( string $packed, array $range ): bool {
	list( $network, $bits ) = $range;
	if ( strlen( $packed ) !== strlen( $network ) ) {
		return false;
	}
	$whole = intdiv( $bits, 8 );
	if ( substr( $packed, 0, $whole ) !== substr( $network, 0, $whole ) ) {
		return false;
	}
	$rest = $bits % 8;
	if ( 0 === $rest ) {
		return true;
	}
	$mask = ( 0xFF << ( 8 - $rest ) ) & 0xFF;
	return ( ord( $packed[ $whole ] ) & $mask ) === ( ord( $network[ $whole ] ) & $mask );
}

/**
 * An address without IPv4-in-IPv6 wrapping ("::ffff:192.0.2.1" is 192.0.2.1), or null if invalid.
 *
 * @param string $address An address as given.
 */
function clinicdesk_normalize_address( string $address ): ?string {
	$address = trim( $address, " \t[]" );
	if ( false === filter_var( $address, FILTER_VALIDATE_IP ) ) {
		return null;
	}
	if ( 0 === stripos( $address, '::ffff:' ) && false !== filter_var( substr( $address, 7 ), FILTER_VALIDATE_IP, FILTER_FLAG_IPV4 ) ) {
		return substr( $address, 7 );
	}
	return $address;
}

/**
 * Whether an address is one of the trusted proxies.
 *
 * @param string $address A valid address.
 */
function clinicdesk_is_trusted_proxy( string $address ): bool {
	$packed = inet_pton( $address );
	if ( false === $packed ) {
		return false;
	}
	$setting = (string) get_option( 'clinicdesk_trusted_proxies', '' );
	foreach ( preg_split( '/[\s,]+/', $setting, -1, PREG_SPLIT_NO_EMPTY ) as $entry ) {
		$range = clinicdesk_parse_cidr( $entry );
		if ( null !== $range && clinicdesk_in_range( $packed, $range ) ) {
			return true;
		}
	}
	return false;
}

/**
 * The visitor's address: REMOTE_ADDR, or what a trusted proxy forwarded (see the file comment).
 */
function clinicdesk_client_address(): string {
	$remote = clinicdesk_normalize_address( isset( $_SERVER['REMOTE_ADDR'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REMOTE_ADDR'] ) ) : '' );
	$client = $remote ?? '';
	if ( null !== $remote && clinicdesk_is_trusted_proxy( $remote ) && isset( $_SERVER['HTTP_X_FORWARDED_FOR'] ) ) {
		$hops = array_reverse( explode( ',', sanitize_text_field( wp_unslash( $_SERVER['HTTP_X_FORWARDED_FOR'] ) ) ) );
		foreach ( $hops as $hop ) {
			$hop = clinicdesk_normalize_address( $hop );
			if ( null === $hop ) {
				break; // Garbage: believe nothing further along the chain.
			}
			$client = $hop;
			if ( ! clinicdesk_is_trusted_proxy( $hop ) ) {
				break;
			}
		}
	}
	/**
	 * Filters the address the form's rate limit counts (for a proxy that forwards it otherwise).
	 *
	 * @param string $client The address found.
	 * @param string $remote REMOTE_ADDR.
	 */
	return (string) apply_filters( 'clinicdesk_client_address', $client, (string) $remote );
}

/**
 * What the count is kept under: the IPv4 address, or the /64 network of an IPv6 one.
 *
 * @param string $address The client address.
 */
function clinicdesk_rate_bucket( string $address ): string {
	$packed = inet_pton( $address );
	if ( false !== $packed && 16 === strlen( $packed ) ) {
		return bin2hex( substr( $packed, 0, 8 ) ) . '::/64';
	}
	return '' === $address ? 'unknown' : $address;
}

/**
 * Counts one submission from the client. Answers how many seconds the client must wait when it is
 * over the limit, else 0 (a refused submission counts too).
 */
function clinicdesk_rate_limit_hit(): int {
	global $wpdb;
	list( $limit, $window ) = clinicdesk_rate();
	$key = wp_hash( clinicdesk_rate_bucket( clinicdesk_client_address() ) );
	$now = time();

	if ( wp_using_ext_object_cache() ) {
		// Fixed windows: the key names the window, and the cache forgets it when it is over.
		$slot  = intdiv( $now, $window );
		$ckey  = $key . ':' . $slot;
		$group = 'clinicdesk_rate';
		wp_cache_add( $ckey, 0, $group, $window );
		$hits = wp_cache_incr( $ckey, 1, $group );
		if ( false !== $hits ) {
			return (int) $hits > $limit ? max( 1, ( $slot + 1 ) * $window - $now ) : 0;
		}
		// The cache would not increment: fall through to the database.
	}

	$table = clinicdesk_rate_table();
	$stale = $now - $window;
	// One statement: a new bucket starts at 1; an existing one restarts at 1 when its window is
	// over, else goes up by one. LAST_INSERT_ID(expr) hands this connection the new count. MySQL
	// assigns left to right, so `started` is still the old value when `hits` is computed.
	// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- the table name is ours.
	$affected = $wpdb->query(
		$wpdb->prepare(
			"INSERT INTO {$table} (bucket, started, hits) VALUES (%s, %d, 1)
			ON DUPLICATE KEY UPDATE
				hits = LAST_INSERT_ID(IF(started <= %d, 1, hits + 1)),
				started = IF(started <= %d, %d, started)",
			$key,
			$now,
			$stale,
			$stale,
			$now
		)
	);
	if ( false === $affected ) {
		return 0; // No table (a broken install): the form keeps working rather than locking people out.
	}
	if ( 1 === (int) $affected ) {
		// A new bucket (one row inserted): count 1. Clear out buckets nobody used for a window.
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE started <= %d", $stale ) );
		return 1 > $limit ? $window : 0;
	}
	$hits = (int) $wpdb->get_var( 'SELECT LAST_INSERT_ID()' );
	if ( $hits <= $limit ) {
		return 0;
	}
	$started = (int) $wpdb->get_var( $wpdb->prepare( "SELECT started FROM {$table} WHERE bucket = %s", $key ) );
	// phpcs:enable
	return max( 1, $started + $window - $now );
}
