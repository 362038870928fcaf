<?php
/**
 * The public consultation form: `POST clinicdesk/v1/consultation`.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/**
 * The arguments of `POST clinicdesk/v1/consultation`: the route's schema. Every request has been
 * through {@see clinicdesk_consultation_check()} before WordPress validates these (the gate,
 * {@see clinicdesk_gate_consultation()}, runs first), so the rules between fields live there only.
 *
 * @return array<string, array<string, mixed>>
 */
function clinicdesk_consultation_args(): array {
	return array(
		'first_name'        => array(
			'type'      => 'string',
			'required'  => true,
			'minLength' => 1,
			'maxLength' => 100,
		),
		'last_name'         => array(
			'type'      => 'string',
			'maxLength' => 100,
			'default'   => '',
		),
		'email'             => array(
			'type'      => 'string',
			'format'    => 'email',
			'required'  => true,
			'maxLength' => 254,
		),
		'phone'             => array(
			'type'      => 'string',
			'maxLength' => 40,
			'default'   => '',
		),
		'preferred_contact' => array(
			'type'    => 'string',
			'enum'    => CLINICDESK_CONTACT_METHODS,
			'default' => 'email',
		),
		'state'             => array(
			'type'    => 'string',
			'enum'    => array_merge( array( '' ), CLINICDESK_STATES ),
			'default' => '',
		),
		'insurance'         => array(
			'type'      => 'string',
			'maxLength' => 100,
			'default'   => '',
		),
		'reason'            => array(
			'type'      => 'string',
			'maxLength' => 200,
			'default'   => '',
		),
		'message'           => array(
			'type'      => 'string',
			'maxLength' => 5000,
			'default'   => '',
		),
		'consent'           => array(
			'type'     => 'boolean',
			'required' => true,
		),
		'website'           => array(
			'description' => 'Honeypot: hidden from people, so it must be absent or empty.',
			'type'        => 'string',
			'default'     => '',
		),
	);
}

/**
 * The one validation of a consultation request, shared by the REST endpoint (the form with
 * JavaScript, and any API client) and the form's plain POST (without JavaScript).
 *
 * @param array<string, mixed> $params The submitted fields (unslashed).
 * @return array{values: array<string, mixed>, missing: list<string>, errors: array<string, string>}
 *         The sanitised values, the required fields that are absent, and a code per invalid field:
 *         `required`, `email`, `too_long`, `choice`, `consent`, `phone_required` or `invalid`.
 */
function clinicdesk_consultation_check( array $params ): array {
	$limits  = array(
		'first_name' => 100,
		'last_name'  => 100,
		'email'      => 254,
		'phone'      => 40,
		'insurance'  => 100,
		'reason'     => 200,
		'message'    => 5000,
	);
	$missing = array();
	foreach ( array( 'first_name', 'email', 'consent' ) as $name ) {
		if ( ! isset( $params[ $name ] ) ) {
			$missing[] = $name;
		}
	}
	$values = array();
	$errors = array();
	foreach ( array( 'first_name', 'last_name', 'email', 'phone', 'preferred_contact', 'state', 'insurance', 'reason', 'message' ) as $name ) {
		$raw = $params[ $name ] ?? '';
		if ( ! is_string( $raw ) ) {
			$errors[ $name ] = 'invalid';
			continue;
		}
		$value = 'message' === $name ? clinicdesk_sanitize_text( $raw ) : clinicdesk_sanitize_line( $raw );
		if ( isset( $limits[ $name ] ) && mb_strlen( $value ) > $limits[ $name ] ) {
			$errors[ $name ] = 'too_long';
		}
		$values[ $name ] = $value;
	}
	if ( ! isset( $errors['first_name'] ) && isset( $params['first_name'] ) && '' === $values['first_name'] ) {
		$errors['first_name'] = 'required';
	}
	if ( ! isset( $errors['email'] ) && isset( $params['email'] ) ) {
		if ( '' === $values['email'] ) {
			$errors['email'] = 'required';
		} elseif ( ! is_email( $values['email'] ) ) {
			$errors['email'] = 'email';
		}
	}
	if ( ! isset( $errors['preferred_contact'] ) ) {
		$values['preferred_contact'] = '' === $values['preferred_contact'] ? 'email' : $values['preferred_contact'];
		if ( ! in_array( $values['preferred_contact'], CLINICDESK_CONTACT_METHODS, true ) ) {
			$errors['preferred_contact'] = 'choice';
		} elseif ( 'email' !== $values['preferred_contact'] && '' === $values['phone'] && ! isset( $errors['phone'] ) ) {
			$errors['phone'] = 'phone_required';
		}
	}
	if ( ! isset( $errors['state'] ) && '' !== $values['state'] && ! in_array( $values['state'], CLINICDESK_STATES, true ) ) {
		$errors['state'] = 'choice';
	}
	if ( isset( $params['consent'] ) && ! ( rest_is_boolean( $params['consent'] ) && rest_sanitize_boolean( $params['consent'] ) ) ) {
		$errors['consent'] = 'consent';
	}
	$values['consent'] = true;
	return array(
		'values'  => $values,
		'missing' => $missing,
		'errors'  => $errors,
	);
}

/**
 * The REST message for an invalid field (the form shows its own, translated, by code).
 *
 * @param string $param The field.
 * @param string $code  The code from {@see clinicdesk_consultation_check()}.
 */
function clinicdesk_consultation_rest_message( string $param, string $code ): string {
	switch ( $code ) {
		case 'consent':
			/* translators: %s: a field name. */
			return sprintf( __( '%s must be true.', 'clinicdesk' ), $param );
		case 'phone_required':
			/* translators: %s: a field name. */
			return sprintf( __( '%s is required when preferred_contact is phone or text.', 'clinicdesk' ), $param );
		case 'too_long':
			/* translators: %s: a field name. */
			return sprintf( __( '%s is too long.', 'clinicdesk' ), $param );
		default:
			/* translators: %s: a field name. */
			return sprintf( __( '%s is not valid.', 'clinicdesk' ), $param );
	}
}

/**
 * The signed timing token of the form: when the form was handed out, and a keyed hash of it.
 * Nothing in it is per-visitor, so a page holding it can be served from a full-page cache.
 *
 * @param int|null $time Unix time it is issued for; now when null.
 */
function clinicdesk_form_token( ?int $time = null ): string {
	$time = $time ?? time();
	return $time . '.' . substr( hash_hmac( 'sha256', 'clinicdesk-form|' . $time, wp_salt( 'nonce' ) ), 0, 32 );
}

/**
 * Checks a timing token: '' when it is good and old enough, else `too_fast` or `expired`
 * (also for a forged or garbled token: the person just sends the form again).
 *
 * @param mixed $token The submitted token.
 */
function clinicdesk_form_token_problem( $token ): string {
	if ( ! is_string( $token ) || ! preg_match( '/^(\d{1,12})\.([0-9a-f]{32})$/', $token, $match ) ) {
		return 'expired';
	}
	if ( ! hash_equals( clinicdesk_form_token( (int) $match[1] ), $token ) ) {
		return 'expired';
	}
	$age = time() - (int) $match[1];
	if ( $age < -60 || $age > CLINICDESK_FORM_TOKEN_LIFETIME ) {
		return 'expired';
	}
	return $age < clinicdesk_form_min_seconds() ? 'too_fast' : '';
}

/**
 * The minimum number of seconds between handing out the form and accepting it.
 */
function clinicdesk_form_min_seconds(): int {
	return max( 0, (int) get_option( 'clinicdesk_form_min_seconds', CLINICDESK_DEFAULT_MIN_SECONDS ) );
}

/**
 * Everything that stands between a submission and a new inquiry, for both ways in: the rate
 * limit (every submission counts), the honeypot, the shared validation, the timing token (when the
 * submission carries one: the website's form always does), and the clinic's own check.
 *
 * @param array<string, mixed> $params The submitted fields (unslashed).
 * @return array{outcome: string, wait?: int, values?: array<string, mixed>, missing?: list<string>, errors?: array<string, string>}
 *         `outcome` is `ok` (with `values`), `rate_limited` (with `wait`), `rejected`,
 *         `invalid` (with `missing` and `errors`), `too_fast` or `expired`.
 */
function clinicdesk_consultation_screen( array $params ): array {
	$wait = clinicdesk_rate_limit_hit();
	if ( $wait > 0 ) {
		return array(
			'outcome' => 'rate_limited',
			'wait'    => $wait,
		);
	}
	$honeypot = $params['website'] ?? null;
	if ( null !== $honeypot && ( ! is_scalar( $honeypot ) || '' !== trim( (string) $honeypot ) ) ) {
		return array( 'outcome' => 'rejected' );
	}
	$check = clinicdesk_consultation_check( $params );
	if ( $check['missing'] || $check['errors'] ) {
		return array(
			'outcome' => 'invalid',
			'missing' => $check['missing'],
			'errors'  => $check['errors'],
		);
	}
	if ( isset( $params['token'] ) ) {
		$problem = clinicdesk_form_token_problem( $params['token'] );
		if ( '' !== $problem ) {
			return array( 'outcome' => $problem );
		}
	}
	/**
	 * Filters whether a consultation request is spam: a clinic's own check (say, a word list or
	 * its own service), run after the built-in ones. Health details must not be sent to a third
	 * party without the clinic's agreement with it.
	 *
	 * @param bool                 $spam   Whether the request is spam (false so far).
	 * @param array<string, mixed> $values The validated, sanitised fields.
	 */
	if ( apply_filters( 'clinicdesk_consultation_is_spam', false, $check['values'] ) ) {
		return array( 'outcome' => 'rejected' );
	}
	return array(
		'outcome' => 'ok',
		'values'  => $check['values'],
	);
}

/**
 * The form's gatekeeping, before WordPress validates anything: {@see clinicdesk_consultation_screen()}
 * answers for the REST route: 429 with `Retry-After` over the limit, 400 `clinicdesk_rejected` for
 * the honeypot (saying nothing about the other fields), the contract's validation errors (with
 * `data.fields`, a code per field, for the form's script), or the token's problem.
 *
 * @param mixed           $result  A response already decided by another filter, or null.
 * @param WP_REST_Server  $server  The server.
 * @param WP_REST_Request $request The request.
 * @return mixed
 */
function clinicdesk_gate_consultation( $result, $server, $request ) {
	if ( null !== $result || ! $request instanceof WP_REST_Request || 'POST' !== $request->get_method() ) {
		return $result;
	}
	if ( ! preg_match( '#^/clinicdesk/v1/consultation$#i', $request->get_route() ) ) {
		return $result;
	}
	$screen = clinicdesk_consultation_screen( $request->get_params() );
	switch ( $screen['outcome'] ) {
		case 'rate_limited':
			$response = new WP_REST_Response(
				array(
					'code'    => 'clinicdesk_rate_limited',
					'message' => __( 'Too many requests. Please try again later.', 'clinicdesk' ),
					'data'    => array( 'status' => 429 ),
				),
				429
			);
			$response->header( 'Retry-After', (string) $screen['wait'] );
			return $response;
		case 'rejected':
			return new WP_Error( 'clinicdesk_rejected', __( 'Your request could not be accepted.', 'clinicdesk' ), array( 'status' => 400 ) );
		case 'invalid':
			$fields = $screen['errors'];
			foreach ( $screen['missing'] as $name ) {
				$fields[ $name ] = 'required';
			}
			if ( $screen['missing'] ) {
				return new WP_Error(
					'rest_missing_callback_param',
					/* translators: %s: the missing parameters' names. */
					sprintf( __( 'Missing parameter(s): %s', 'clinicdesk' ), implode( ', ', $screen['missing'] ) ),
					array(
						'status' => 400,
						'params' => $screen['missing'],
						'fields' => $fields,
					)
				);
			}
			$params = array();
			foreach ( $screen['errors'] as $name => $code ) {
				$params[ $name ] = clinicdesk_consultation_rest_message( $name, $code );
			}
			return new WP_Error(
				'rest_invalid_param',
				/* translators: %s: the invalid parameters' names. */
				sprintf( __( 'Invalid parameter(s): %s', 'clinicdesk' ), implode( ', ', array_keys( $params ) ) ),
				array(
					'status' => 400,
					'params' => $params,
					'fields' => $fields,
				)
			);
		case 'too_fast':
			return new WP_Error( 'clinicdesk_too_fast', __( 'The form was sent too soon after it was opened.', 'clinicdesk' ), array( 'status' => 400 ) );
		case 'expired':
			return new WP_Error( 'clinicdesk_form_expired', __( 'The form has expired. Please send it again.', 'clinicdesk' ), array( 'status' => 400 ) );
	}
	$request->set_param( 'clinicdesk_screened', $screen['values'] );
	return $result;
}
add_filter( 'rest_pre_dispatch', 'clinicdesk_gate_consultation', 6, 3 );

/**
 * `POST clinicdesk/v1/consultation`: the public form. Creates a private inquiry. The rate limit
 * and the honeypot were applied by {@see clinicdesk_gate_consultation()}, the arguments validated
 * by WordPress.
 *
 * @param WP_REST_Request $request The request.
 * @return WP_REST_Response|WP_Error
 */
function clinicdesk_rest_consultation( WP_REST_Request $request ) {
	$values = $request->get_param( 'clinicdesk_screened' );
	if ( ! is_array( $values ) ) {
		// Only reachable when another filter answered first; screen it here then.
		$check = clinicdesk_consultation_check( $request->get_params() );
		if ( $check['missing'] || $check['errors'] ) {
			return new WP_Error( 'rest_invalid_param', __( 'Your request could not be accepted.', 'clinicdesk' ), array( 'status' => 400 ) );
		}
		$values = $check['values'];
	}
	$id = clinicdesk_accept_consultation( $values );
	if ( is_wp_error( $id ) ) {
		return $id;
	}
	return new WP_REST_Response( array( 'id' => $id ), 201 );
}

/**
 * Stores a screened consultation request as a new inquiry and notifies the clinic (both ways in).
 *
 * @param array<string, mixed> $values The values {@see clinicdesk_consultation_check()} answered.
 * @return int|WP_Error The new inquiry's id.
 */
function clinicdesk_accept_consultation( array $values ) {
	$meta = array_merge(
		$values,
		array(
			'consent'       => true,
			'received_gmt'  => clinicdesk_gmt(),
			'triage_status' => 'new',
			'assignee'      => 0,
			'urgent'        => false,
			'unread'        => true,
		)
	);
	$id   = clinicdesk_create_inquiry( (string) $values['first_name'], (string) $values['last_name'], $meta );
	if ( ! is_wp_error( $id ) ) {
		clinicdesk_notify_new_inquiry();
	}
	return $id;
}

/**
 * Creates a private inquiry with its meta in one transaction (staff never see half an inquiry).
 * Also used by tools that seed a site (they bypass the form's rate limit).
 *
 * @param string               $first     First name.
 * @param string               $last      Last name.
 * @param array<string, mixed> $meta      Meta values by key (unslashed).
 * @param array<string, mixed> $post_args Extra wp_insert_post() arguments (unslashed), e.g. dates.
 * @return int|WP_Error The new inquiry's id.
 */
function clinicdesk_create_inquiry( string $first, string $last, array $meta, array $post_args = array() ) {
	global $wpdb;
	$wpdb->query( 'START TRANSACTION' );
	$id = wp_insert_post(
		wp_slash(
			array_merge(
				array(
					'post_type'      => CLINICDESK_POST_TYPE,
					'post_status'    => 'private',
					'post_title'     => clinicdesk_inquiry_title( $first, $last ),
					'post_content'   => '',
					'post_author'    => 0,
					'comment_status' => 'closed',
					'ping_status'    => 'closed',
				),
				$post_args
			)
		),
		true
	);
	if ( is_wp_error( $id ) || 0 === (int) $id ) {
		$wpdb->query( 'ROLLBACK' );
		return new WP_Error( 'clinicdesk_db_error', __( 'The inquiry could not be saved.', 'clinicdesk' ), array( 'status' => 500 ) );
	}
	foreach ( $meta as $key => $value ) {
		update_post_meta( (int) $id, $key, wp_slash( $value ) );
	}
	$wpdb->query( 'COMMIT' );
	return (int) $id;
}
