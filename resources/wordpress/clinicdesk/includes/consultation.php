<?php
/**
 * The public consultation form: `POST clinicdesk/v1/consultation`.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/**
 * The arguments of `POST clinicdesk/v1/consultation`, validated by WordPress itself so that errors
 * have its `rest_missing_callback_param` / `rest_invalid_param` shapes, naming every field.
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
			'type'              => 'string',
			'maxLength'         => 40,
			'default'           => '',
			'validate_callback' => clinicdesk_arg_validator(
				static function ( $value, $request, $param ): ?string {
					$contact = $request->get_param( 'preferred_contact' );
					if ( in_array( $contact, array( 'phone', 'text' ), true ) && '' === clinicdesk_sanitize_line( $value ) ) {
						return sprintf( /* translators: %s: a field name. */ __( '%s is required when preferred_contact is phone or text.', 'clinicdesk' ), $param );
					}
					return null;
				}
			),
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
			'type'              => 'boolean',
			'required'          => true,
			'validate_callback' => clinicdesk_arg_validator(
				static function ( $value, $request, $param ): ?string {
					return true === rest_sanitize_boolean( $value ) ? null : sprintf( /* translators: %s: a field name. */ __( '%s must be true.', 'clinicdesk' ), $param );
				}
			),
		),
		'website'           => array(
			'description' => 'Honeypot: hidden from people, so it must be absent or empty.',
			'type'        => 'string',
			'default'     => '',
		),
	);
}

/**
 * The form's gatekeeping, before WordPress validates anything: every POST to the form counts
 * against its address, a client over the limit gets 429 with `Retry-After`, and a filled honeypot
 * is refused without saying anything about the other fields.
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
	$wait = clinicdesk_rate_limit_hit();
	if ( $wait > 0 ) {
		$response = new WP_REST_Response(
			array(
				'code'    => 'clinicdesk_rate_limited',
				'message' => __( 'Too many requests. Please try again later.', 'clinicdesk' ),
				'data'    => array( 'status' => 429 ),
			),
			429
		);
		$response->header( 'Retry-After', (string) $wait );
		return $response;
	}
	$honeypot = $request->get_param( 'website' );
	if ( null !== $honeypot && ( ! is_scalar( $honeypot ) || '' !== trim( (string) $honeypot ) ) ) {
		return new WP_Error( 'clinicdesk_rejected', __( 'Your request could not be accepted.', 'clinicdesk' ), array( 'status' => 400 ) );
	}
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
	$first = clinicdesk_sanitize_line( $request['first_name'] );
	$last  = clinicdesk_sanitize_line( $request['last_name'] );
	$meta  = array(
		'first_name'        => $first,
		'last_name'         => $last,
		'email'             => clinicdesk_sanitize_email( $request['email'] ),
		'phone'             => clinicdesk_sanitize_line( $request['phone'] ),
		'preferred_contact' => clinicdesk_sanitize_line( $request['preferred_contact'] ),
		'state'             => clinicdesk_sanitize_line( $request['state'] ),
		'insurance'         => clinicdesk_sanitize_line( $request['insurance'] ),
		'reason'            => clinicdesk_sanitize_line( $request['reason'] ),
		'message'           => clinicdesk_sanitize_text( $request['message'] ),
		'consent'           => true,
		'received_gmt'      => clinicdesk_gmt(),
		'triage_status'     => 'new',
		'assignee'          => 0,
		'urgent'            => false,
		'unread'            => true,
	);
	$id = clinicdesk_create_inquiry( $first, $last, $meta );
	if ( is_wp_error( $id ) ) {
		return $id;
	}
	return new WP_REST_Response( array( 'id' => $id ), 201 );
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
