<?php
/**
 * The consultation form on the clinic's website: the shortcode `[clinicdesk_consultation_form]`
 * (`lang="es"` or `lang="en"` to choose its language), the block `clinicdesk/consultation-form`,
 * the plain POST that works without JavaScript, and the script that sends it with `fetch`.
 *
 * The page holds nothing per visitor, so a full-page cache may serve it: the timing token in it
 * names only when the page was made; with JavaScript the script asks for a fresh one
 * (`GET clinicdesk/v1/consultation/token`, never cached) when the page loads, so the minimum time
 * counts from the visitor's own page load. Without JavaScript the cached page's token is used: it
 * is older, so it passes the minimum, and once it is older than its lifetime the form comes back
 * with every answer kept and a fresh token, asking the person to send it again.
 *
 * @package ClinicDesk
 */

defined( 'ABSPATH' ) || exit;

/** What the form's personal answers (and its fresh tokens) are sent with: never stored by a cache. */
define( 'CLINICDESK_NO_STORE', 'no-cache, must-revalidate, max-age=0, no-store, private' );

/**
 * The USPS codes with their names, for the state list.
 *
 * @return array<string, string>
 */
function clinicdesk_state_names(): array {
	return array(
		'AL' => 'Alabama',
		'AK' => 'Alaska',
		'AZ' => 'Arizona',
		'AR' => 'Arkansas',
		'CA' => 'California',
		'CO' => 'Colorado',
		'CT' => 'Connecticut',
		'DE' => 'Delaware',
		'FL' => 'Florida',
		'GA' => 'Georgia',
		'HI' => 'Hawaii',
		'ID' => 'Idaho',
		'IL' => 'Illinois',
		'IN' => 'Indiana',
		'IA' => 'Iowa',
		'KS' => 'Kansas',
		'KY' => 'Kentucky',
		'LA' => 'Louisiana',
		'ME' => 'Maine',
		'MD' => 'Maryland',
		'MA' => 'Massachusetts',
		'MI' => 'Michigan',
		'MN' => 'Minnesota',
		'MS' => 'Mississippi',
		'MO' => 'Missouri',
		'MT' => 'Montana',
		'NE' => 'Nebraska',
		'NV' => 'Nevada',
		'NH' => 'New Hampshire',
		'NJ' => 'New Jersey',
		'NM' => 'New Mexico',
		'NY' => 'New York',
		'NC' => 'North Carolina',
		'ND' => 'North Dakota',
		'OH' => 'Ohio',
		'OK' => 'Oklahoma',
		'OR' => 'Oregon',
		'PA' => 'Pennsylvania',
		'RI' => 'Rhode Island',
		'SC' => 'South Carolina',
		'SD' => 'South Dakota',
		'TN' => 'Tennessee',
		'TX' => 'Texas',
		'UT' => 'Utah',
		'VT' => 'Vermont',
		'VA' => 'Virginia',
		'WA' => 'Washington',
		'WV' => 'West Virginia',
		'WI' => 'Wisconsin',
		'WY' => 'Wyoming',
		'DC' => 'District of Columbia',
		'AS' => 'American Samoa',
		'GU' => 'Guam',
		'MP' => 'Northern Mariana Islands',
		'PR' => 'Puerto Rico',
		'VI' => 'U.S. Virgin Islands',
		'AA' => 'Armed Forces Americas',
		'AE' => 'Armed Forces Europe',
		'AP' => 'Armed Forces Pacific',
	);
}

/**
 * One list setting (one entry per line) as a list.
 *
 * @param string $option The option name.
 * @param string $fallback The default, one entry per line.
 * @return list<string>
 */
function clinicdesk_setting_lines( string $option, string $fallback ): array {
	$value = (string) get_option( $option, $fallback );
	$lines = array_map( 'clinicdesk_sanitize_line', explode( "\n", $value ) );
	return array_values( array_unique( array_filter( $lines, 'strlen' ) ) );
}

/**
 * The states the clinic serves, as USPS codes.
 *
 * @return list<string>
 */
function clinicdesk_served_states(): array {
	$codes = preg_split( '/[\s,]+/', strtoupper( (string) get_option( 'clinicdesk_states', CLINICDESK_DEFAULT_STATES ) ), -1, PREG_SPLIT_NO_EMPTY );
	return array_values( array_unique( array_intersect( $codes, CLINICDESK_STATES ) ) );
}

/**
 * One of the editable texts (crisis notice, consent, confirmation) in the form's language: the
 * clinic's own when it wrote one for that language, else the plugin's (translated) default.
 *
 * @param string $key  `crisis`, `consent` or `confirmation`.
 * @param string $lang `en` or `es`.
 */
function clinicdesk_form_text( string $key, string $lang ): string {
	$option = 'clinicdesk_' . $key . '_text' . ( 'es' === $lang ? '_es' : '' );
	$custom = trim( (string) get_option( $option, '' ) );
	if ( '' !== $custom ) {
		return $custom;
	}
	switch ( $key ) {
		case 'crisis':
			return __( 'This form is not for emergencies. If you are in crisis, call or text 988 (the Suicide and Crisis Lifeline). En español, llame al 988 y oprima 2, o envíe AYUDA al 988. If you or someone else is in danger right now, call 911.', 'clinicdesk' );
		case 'consent':
			return __( 'I agree that the clinic may keep what I send here and contact me about it.', 'clinicdesk' );
		default:
			return __( 'The clinic will reply within one business day.', 'clinicdesk' );
	}
}

/**
 * The language the form is shown in: `es` or `en` when asked for, else the site's.
 *
 * @param mixed $asked The shortcode's `lang` or the block's `lang` attribute.
 */
function clinicdesk_form_lang( $asked ): string {
	$asked = is_string( $asked ) ? strtolower( substr( trim( $asked ), 0, 2 ) ) : '';
	if ( in_array( $asked, array( 'en', 'es' ), true ) ) {
		return $asked;
	}
	return 'es' === substr( determine_locale(), 0, 2 ) ? 'es' : 'en';
}

/**
 * Runs $render with the plugin's strings in $lang, whatever the site's locale, then puts the
 * site's back. (WordPress's switch_to_locale() only switches to languages whose core files are
 * installed, and does not reload a plugin's own languages folder.)
 *
 * @param string   $lang   `en` or `es`.
 * @param callable $render Produces the output.
 * @return mixed What $render answered.
 */
function clinicdesk_in_language( string $lang, callable $render ) {
	$site = 'es' === substr( determine_locale(), 0, 2 ) ? 'es' : 'en';
	if ( $lang === $site ) {
		return $render();
	}
	unload_textdomain( 'clinicdesk' );
	if ( 'es' === $lang ) {
		load_textdomain( 'clinicdesk', CLINICDESK_DIR . '/languages/clinicdesk-es_ES.mo' );
	}
	try {
		return $render();
	} finally {
		unload_textdomain( 'clinicdesk' );
		clinicdesk_load_textdomain();
	}
}

/**
 * Any Spanish locale (es_MX, es_US...) uses the plugin's Spanish when it has no file of its own.
 *
 * @param string $mofile The file WordPress is about to load.
 * @param string $domain The text domain.
 */
function clinicdesk_spanish_fallback( $mofile, $domain ) {
	if ( 'clinicdesk' === $domain && is_string( $mofile ) && ! is_readable( $mofile ) && preg_match( '/clinicdesk-es_[A-Z]{2}\.mo$/', $mofile ) ) {
		return CLINICDESK_DIR . '/languages/clinicdesk-es_ES.mo';
	}
	return $mofile;
}
add_filter( 'load_textdomain_mofile', 'clinicdesk_spanish_fallback', 10, 2 );

/**
 * The message shown for a field's error code, in the current language.
 *
 * @param string $field The field.
 * @param string $code  The code ({@see clinicdesk_consultation_check()}).
 */
function clinicdesk_form_error_message( string $field, string $code ): string {
	$messages = array(
		'first_name' => array(
			'required' => __( 'Enter your first name.', 'clinicdesk' ),
			'too_long' => __( 'Your first name must be 100 characters or fewer.', 'clinicdesk' ),
		),
		'last_name'  => array(
			'too_long' => __( 'Your last name must be 100 characters or fewer.', 'clinicdesk' ),
		),
		'email'      => array(
			'required' => __( 'Enter your email address.', 'clinicdesk' ),
			'email'    => __( 'Enter an email address like name@example.com.', 'clinicdesk' ),
			'too_long' => __( 'Your email address must be 254 characters or fewer.', 'clinicdesk' ),
		),
		'phone'      => array(
			'phone_required' => __( 'Enter a phone number, or choose email as the way to reach you.', 'clinicdesk' ),
			'too_long'       => __( 'Your phone number must be 40 characters or fewer.', 'clinicdesk' ),
		),
		'message'    => array(
			'too_long' => __( 'Your message must be 5,000 characters or fewer. Please shorten it; we can talk about the rest.', 'clinicdesk' ),
		),
		'consent'    => array(
			'required' => __( 'Check the box to agree, so that the clinic can contact you.', 'clinicdesk' ),
			'consent'  => __( 'Check the box to agree, so that the clinic can contact you.', 'clinicdesk' ),
		),
		'_form'      => array(
			'too_fast'     => __( 'The form was sent very quickly after it opened. Please check your answers and press the button again.', 'clinicdesk' ),
			'expired'      => __( 'The form had expired. Please check your answers and press the button again.', 'clinicdesk' ),
			'rejected'     => __( 'Your request could not be accepted. Please call the clinic instead.', 'clinicdesk' ),
			'rate_limited' => __( 'Too many requests came from your connection. Please try again later, or call the clinic.', 'clinicdesk' ),
			'failed'       => __( 'Your request could not be sent. Please try again, or call the clinic.', 'clinicdesk' ),
		),
	);
	return $messages[ $field ][ $code ] ?? ( 'too_long' === $code ? __( 'This answer is too long.', 'clinicdesk' ) : __( 'Choose one of the options.', 'clinicdesk' ) );
}

/**
 * Every message the script may need, by field and code (the page is the same for everyone, so
 * they are all in it).
 *
 * @return array<string, array<string, string>>
 */
function clinicdesk_form_messages(): array {
	$codes = array(
		'first_name'        => array( 'required', 'too_long', 'invalid' ),
		'last_name'         => array( 'too_long', 'invalid' ),
		'email'             => array( 'required', 'email', 'too_long', 'invalid' ),
		'phone'             => array( 'phone_required', 'too_long', 'invalid' ),
		'preferred_contact' => array( 'choice', 'invalid' ),
		'state'             => array( 'choice', 'invalid' ),
		'insurance'         => array( 'too_long', 'invalid' ),
		'reason'            => array( 'too_long', 'invalid' ),
		'message'           => array( 'too_long', 'invalid' ),
		'consent'           => array( 'required', 'consent', 'invalid' ),
		'_form'             => array( 'too_fast', 'expired', 'rejected', 'rate_limited', 'failed' ),
	);
	$out   = array();
	foreach ( $codes as $field => $list ) {
		foreach ( $list as $code ) {
			$out[ $field ][ $code ] = clinicdesk_form_error_message( $field, $code );
		}
	}
	return $out;
}

/**
 * The form's HTML (or its confirmation). The same contract is served by the reference site at
 * /consultation/ (clinicdesk/demosite/form.py): change both together.
 *
 * @param array<string, mixed> $atts The shortcode's or block's attributes (`lang`).
 */
function clinicdesk_render_form( $atts ): string {
	$atts = is_array( $atts ) ? $atts : array();
	$lang = clinicdesk_form_lang( $atts['lang'] ?? '' );
	wp_enqueue_style( 'clinicdesk-form' );
	wp_enqueue_script( 'clinicdesk-form' );
	return (string) clinicdesk_in_language(
		$lang,
		static function () use ( $lang ): string {
			// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a public page: nothing changes.
			$sent = isset( $_GET['clinicdesk_sent'] ) && '1' === $_GET['clinicdesk_sent'];
			return $sent ? clinicdesk_confirmation_html( $lang ) : clinicdesk_form_html( $lang, $GLOBALS['clinicdesk_form_result'] ?? null );
		}
	);
}

/**
 * The crisis notice, above the form and on the confirmation.
 *
 * @param string $lang `en` or `es`.
 */
function clinicdesk_crisis_html( string $lang ): string {
	return '<div class="cdf-crisis"><p><strong>' . esc_html__( 'Need help now?', 'clinicdesk' ) . '</strong> '
		. esc_html( clinicdesk_form_text( 'crisis', $lang ) ) . '</p></div>';
}

/**
 * The confirmation shown after a request was stored.
 *
 * @param string $lang `en` or `es`.
 */
function clinicdesk_confirmation_html( string $lang ): string {
	return '<div class="clinicdesk-form" lang="' . esc_attr( $lang ) . '">'
		. '<div class="cdf-confirmation" tabindex="-1"><h2>' . esc_html__( 'Your request was sent', 'clinicdesk' ) . '</h2>'
		. '<p>' . esc_html__( 'Thank you for reaching out.', 'clinicdesk' ) . ' ' . esc_html( clinicdesk_form_text( 'confirmation', $lang ) ) . '</p>'
		. clinicdesk_crisis_html( $lang ) . '</div></div>';
}

/**
 * The form itself, empty or with the errors and answers of a plain POST.
 *
 * @param string                    $lang   `en` or `es`.
 * @param array<string, mixed>|null $result What {@see clinicdesk_handle_form_post()} kept: `values`, `errors` (field => code), `form` (a form-level code).
 */
function clinicdesk_form_html( string $lang, ?array $result ): string {
	$values = (array) ( $result['values'] ?? array() );
	$errors = (array) ( $result['errors'] ?? array() );
	$form   = (string) ( $result['form'] ?? '' );
	$names  = clinicdesk_state_names();

	$field = static function ( string $name, string $label, string $control, bool $required = false, string $hint = '' ) use ( $errors ): string {
		$id    = 'cdf-' . $name;
		$error = isset( $errors[ $name ] ) ? clinicdesk_form_error_message( $name, (string) $errors[ $name ] ) : '';
		$html  = '<div class="cdf-field' . ( '' !== $error ? ' cdf-has-error' : '' ) . '">';
		$html .= '<label for="' . esc_attr( $id ) . '">' . esc_html( $label );
		if ( $required ) {
			$html .= ' <span class="cdf-required">' . esc_html__( '(required)', 'clinicdesk' ) . '</span>';
		}
		$html .= '</label>';
		if ( '' !== $hint ) {
			$html .= '<p class="cdf-hint" id="' . esc_attr( $id . '-hint' ) . '">' . esc_html( $hint ) . '</p>';
		}
		$html .= '<p class="cdf-error" id="' . esc_attr( $id . '-error' ) . '"' . ( '' === $error ? ' hidden' : '' ) . '>' . esc_html( $error ) . '</p>';
		return $html . $control . '</div>';
	};
	$attrs = static function ( string $name, bool $has_hint = false ) use ( $errors ): string {
		$described = array();
		if ( $has_hint ) {
			$described[] = 'cdf-' . $name . '-hint';
		}
		if ( isset( $errors[ $name ] ) ) {
			$described[] = 'cdf-' . $name . '-error';
		}
		$out = ' id="' . esc_attr( 'cdf-' . $name ) . '" name="' . esc_attr( $name ) . '"';
		if ( $described ) {
			$out .= ' aria-describedby="' . esc_attr( implode( ' ', $described ) ) . '"';
		}
		return $out . ( isset( $errors[ $name ] ) ? ' aria-invalid="true"' : '' );
	};
	$value = static function ( string $name ) use ( $values ): string {
		return isset( $values[ $name ] ) && is_scalar( $values[ $name ] ) ? (string) $values[ $name ] : '';
	};
	$options = static function ( array $choices, string $current ): string {
		$html = '';
		foreach ( $choices as $option_value => $label ) {
			$html .= '<option value="' . esc_attr( (string) $option_value ) . '"' . selected( (string) $option_value, $current, false ) . '>' . esc_html( (string) $label ) . '</option>';
		}
		return $html;
	};

	$html  = '<div class="clinicdesk-form" lang="' . esc_attr( $lang ) . '">';
	$html .= clinicdesk_crisis_html( $lang );
	$html .= '<form class="cdf" method="post" novalidate'
		. ' data-endpoint="' . esc_url( rest_url( CLINICDESK_NAMESPACE . '/consultation' ) ) . '"'
		. ' data-token-url="' . esc_url( rest_url( CLINICDESK_NAMESPACE . '/consultation/token' ) ) . '">';

	// The error summary: filled by the server after a plain POST, by the script otherwise.
	$summary = '';
	foreach ( $errors as $name => $code ) {
		$summary .= '<li><a href="#' . esc_attr( 'cdf-' . $name ) . '">' . esc_html( clinicdesk_form_error_message( (string) $name, (string) $code ) ) . '</a></li>';
	}
	if ( '' !== $form ) {
		$summary .= '<li><a href="#cdf-submit">' . esc_html( clinicdesk_form_error_message( '_form', $form ) ) . '</a></li>';
	}
	// After a plain POST with errors focus goes to the summary (autofocus: no script needed).
	$html .= '<div class="cdf-summary" id="cdf-summary" tabindex="-1"' . ( '' === $summary ? ' hidden' : ' autofocus' ) . '>'
		. '<h2 id="cdf-summary-title">' . esc_html__( 'There is a problem with your request', 'clinicdesk' ) . '</h2>'
		. '<ul>' . $summary . '</ul></div>';
	$html .= '<p class="cdf-intro">' . esc_html__( 'Fields marked (required) must be filled in. Everything you send is private.', 'clinicdesk' ) . '</p>';
	$html .= '<input type="hidden" name="clinicdesk_form" value="1" />';
	$html .= '<input type="hidden" name="clinicdesk_lang" value="' . esc_attr( $lang ) . '" />';
	$html .= '<input type="hidden" name="token" value="' . esc_attr( clinicdesk_form_token() ) . '" />';

	$html .= $field( 'first_name', __( 'First name', 'clinicdesk' ), '<input type="text" autocomplete="given-name" required' . $attrs( 'first_name' ) . ' value="' . esc_attr( $value( 'first_name' ) ) . '" />', true );
	$html .= $field( 'last_name', __( 'Last name', 'clinicdesk' ), '<input type="text" autocomplete="family-name"' . $attrs( 'last_name' ) . ' value="' . esc_attr( $value( 'last_name' ) ) . '" />' );
	$html .= $field( 'email', __( 'Email address', 'clinicdesk' ), '<input type="email" autocomplete="email" required' . $attrs( 'email' ) . ' value="' . esc_attr( $value( 'email' ) ) . '" />', true );
	$html .= $field( 'phone', __( 'Phone number', 'clinicdesk' ), '<input type="tel" autocomplete="tel"' . $attrs( 'phone', true ) . ' value="' . esc_attr( $value( 'phone' ) ) . '" />', false, __( 'Needed if you would like a call or a text message.', 'clinicdesk' ) );

	// Preferred contact: a group of radio buttons in a fieldset with its legend.
	$contact = '' !== $value( 'preferred_contact' ) ? $value( 'preferred_contact' ) : 'email';
	$methods = array(
		'email' => __( 'Email', 'clinicdesk' ),
		'phone' => __( 'Phone call', 'clinicdesk' ),
		'text'  => __( 'Text message', 'clinicdesk' ),
	);
	$html   .= '<fieldset class="cdf-field cdf-choices"><legend>' . esc_html__( 'How would you like us to contact you?', 'clinicdesk' ) . '</legend>';
	foreach ( $methods as $method => $label ) {
		$html .= '<div class="cdf-choice"><input type="radio" name="preferred_contact" id="' . esc_attr( 'cdf-contact-' . $method ) . '" value="' . esc_attr( $method ) . '"' . checked( $method, $contact, false ) . ' />'
			. '<label for="' . esc_attr( 'cdf-contact-' . $method ) . '">' . esc_html( $label ) . '</label></div>';
	}
	$html .= '</fieldset>';

	$states = array( '' => __( 'Choose your state', 'clinicdesk' ) );
	foreach ( clinicdesk_served_states() as $code ) {
		$states[ $code ] = $names[ $code ] ?? $code;
	}
	$states['-'] = __( 'Another state', 'clinicdesk' );
	$html        .= $field( 'state', __( 'State where you live', 'clinicdesk' ), '<select' . $attrs( 'state' ) . '>' . $options( $states, $value( 'state' ) ) . '</select>' );

	$insurers = array( '' => __( 'Choose your insurance', 'clinicdesk' ) );
	foreach ( clinicdesk_setting_lines( 'clinicdesk_insurers', CLINICDESK_DEFAULT_INSURERS ) as $insurer ) {
		$insurers[ $insurer ] = $insurer;
	}
	$insurers[ __( 'Other or none', 'clinicdesk' ) ] = __( 'Other or none', 'clinicdesk' );
	$html .= $field( 'insurance', __( 'Insurance', 'clinicdesk' ), '<select' . $attrs( 'insurance' ) . '>' . $options( $insurers, $value( 'insurance' ) ) . '</select>' );

	$reasons = array( '' => __( 'Choose a reason', 'clinicdesk' ) );
	foreach ( clinicdesk_setting_lines( 'clinicdesk_reasons', CLINICDESK_DEFAULT_REASONS ) as $reason ) {
		$reasons[ $reason ] = $reason;
	}
	$reasons[ __( 'Something else', 'clinicdesk' ) ] = __( 'Something else', 'clinicdesk' );
	$html .= $field( 'reason', __( 'What would you like help with?', 'clinicdesk' ), '<select' . $attrs( 'reason' ) . '>' . $options( $reasons, $value( 'reason' ) ) . '</select>' );

	$html .= $field( 'message', __( 'Anything you would like us to know', 'clinicdesk' ), '<textarea rows="6"' . $attrs( 'message', true ) . '>' . esc_textarea( $value( 'message' ) ) . '</textarea>', false, __( 'Up to 5,000 characters.', 'clinicdesk' ) );

	$consent_error = isset( $errors['consent'] ) ? clinicdesk_form_error_message( 'consent', (string) $errors['consent'] ) : '';
	$html         .= '<fieldset class="cdf-field cdf-choices' . ( '' !== $consent_error ? ' cdf-has-error' : '' ) . '"><legend>' . esc_html__( 'Consent', 'clinicdesk' )
		. ' <span class="cdf-required">' . esc_html__( '(required)', 'clinicdesk' ) . '</span></legend>'
		. '<p class="cdf-error" id="cdf-consent-error"' . ( '' === $consent_error ? ' hidden' : '' ) . '>' . esc_html( $consent_error ) . '</p>'
		. '<div class="cdf-choice"><input type="checkbox" value="1" required' . $attrs( 'consent' ) . ( ! empty( $values['consent'] ) ? ' checked' : '' ) . ' />'
		. '<label for="cdf-consent">' . esc_html( clinicdesk_form_text( 'consent', $lang ) ) . '</label></div></fieldset>';

	// The honeypot: out of sight and out of the tab order; people leave it empty, robots fill it.
	$html .= '<div class="cdf-hp" aria-hidden="true"><label for="cdf-website">' . esc_html__( 'Leave this field empty', 'clinicdesk' ) . '</label>'
		. '<input type="text" id="cdf-website" name="website" tabindex="-1" autocomplete="off" value="" /></div>';

	$html .= '<p class="cdf-error cdf-form-error" id="cdf-form-error"' . ( '' === $form ? ' hidden' : '' ) . '>' . ( '' === $form ? '' : esc_html( clinicdesk_form_error_message( '_form', $form ) ) ) . '</p>';
	$html .= '<button type="submit" id="cdf-submit" class="cdf-submit">' . esc_html__( 'Send my request', 'clinicdesk' ) . '</button>';
	$html .= '<script type="application/json" class="cdf-messages">' . wp_json_encode( clinicdesk_form_messages(), JSON_HEX_TAG | JSON_HEX_AMP | JSON_UNESCAPED_UNICODE ) . '</script>';
	$html .= '</form>';
	$html .= '<template class="cdf-confirmation-template">' . clinicdesk_confirmation_html( $lang ) . '</template>';
	return $html . '</div>';
}

/**
 * The form's plain POST (JavaScript off), handled before the page is drawn: on success a redirect
 * to the confirmation (so reloading it sends nothing twice); otherwise the page is drawn again with
 * the errors and every answer kept ({@see clinicdesk_render_form()} reads them).
 */
function clinicdesk_handle_form_post(): void {
	// phpcs:disable WordPress.Security.NonceVerification.Missing -- a public form anyone may send (there is no session to forge); the timing token, honeypot and rate limit guard it.
	if ( ! isset( $_SERVER['REQUEST_METHOD'] ) || 'POST' !== $_SERVER['REQUEST_METHOD'] || ! isset( $_POST['clinicdesk_form'] ) ) {
		return;
	}
	$params = array();
	foreach ( array( 'first_name', 'last_name', 'email', 'phone', 'preferred_contact', 'state', 'insurance', 'reason', 'message', 'website', 'token', 'clinicdesk_lang' ) as $name ) {
		if ( isset( $_POST[ $name ] ) && is_string( $_POST[ $name ] ) ) {
			$params[ $name ] = wp_unslash( $_POST[ $name ] ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- sanitised by clinicdesk_consultation_check().
		}
	}
	// A checkbox is absent when unchecked: the form's "no" is `false`, not a missing field.
	$params['consent'] = isset( $_POST['consent'] ) ? '1' : 'false';
	// phpcs:enable
	if ( '-' === ( $params['state'] ?? '' ) ) {
		$params['state'] = '';
	}
	$params['token'] = $params['token'] ?? '';
	$screen          = clinicdesk_consultation_screen( $params );
	$lang            = clinicdesk_form_lang( $params['clinicdesk_lang'] ?? '' );
	if ( 'ok' === $screen['outcome'] ) {
		$id = clinicdesk_accept_consultation( $screen['values'] );
		if ( ! is_wp_error( $id ) ) {
			$page = is_singular() ? get_permalink( get_queried_object_id() ) : home_url( '/' );
			wp_safe_redirect( add_query_arg( 'clinicdesk_sent', '1', (string) $page ), 303 );
			exit;
		}
		$screen = array( 'outcome' => 'failed' );
	}
	$kept            = $params;
	$kept['consent'] = '1' === $params['consent'];
	unset( $kept['website'], $kept['token'], $kept['clinicdesk_lang'] );
	if ( isset( $_POST['state'] ) && '-' === $_POST['state'] ) { // phpcs:ignore WordPress.Security.NonceVerification.Missing
		$kept['state'] = '-'; // Drawn again as "Another state"; '' is "Choose your state".
	}
	$result = array(
		'values' => $kept,
		'errors' => array(),
		'form'   => '',
		'lang'   => $lang,
	);
	if ( 'invalid' === $screen['outcome'] ) {
		$result['errors'] = $screen['errors'];
		foreach ( $screen['missing'] as $name ) {
			$result['errors'][ $name ] = 'required';
		}
	} else {
		$result['form'] = $screen['outcome'];
	}
	$GLOBALS['clinicdesk_form_result'] = $result;
	// The answer to a POST must never be cached: it holds what this person typed.
	nocache_headers();
	header( 'Cache-Control: ' . CLINICDESK_NO_STORE );
	if ( 'rate_limited' === $screen['outcome'] ) {
		status_header( 429 );
	}
}
add_action( 'template_redirect', 'clinicdesk_handle_form_post', 1 );

/**
 * `GET clinicdesk/v1/consultation/token`: a fresh timing token for the form's script.
 */
function clinicdesk_rest_form_token(): WP_REST_Response {
	$response = new WP_REST_Response(
		array(
			'token'       => clinicdesk_form_token(),
			'min_seconds' => clinicdesk_form_min_seconds(),
		)
	);
	foreach ( wp_get_nocache_headers() as $header => $value ) {
		$response->header( $header, (string) $value );
	}
	// Not stored by any cache at all (WordPress before 6.3 leaves out no-store).
	$response->header( 'Cache-Control', CLINICDESK_NO_STORE );
	return $response;
}

/** Registers the token route. */
function clinicdesk_register_form_routes(): void {
	register_rest_route(
		CLINICDESK_NAMESPACE,
		'/consultation/token',
		array(
			'methods'             => WP_REST_Server::READABLE,
			'callback'            => 'clinicdesk_rest_form_token',
			'permission_callback' => '__return_true',
		)
	);
}
add_action( 'rest_api_init', 'clinicdesk_register_form_routes' );

/**
 * Registers the shortcode, the block, and the form's stylesheet and scripts.
 */
function clinicdesk_register_form(): void {
	$version = CLINICDESK_VERSION;
	wp_register_style( 'clinicdesk-form', plugins_url( 'assets/form.css', CLINICDESK_FILE ), array(), $version );
	wp_register_script( 'clinicdesk-form', plugins_url( 'assets/form.js', CLINICDESK_FILE ), array(), $version, true );
	wp_register_script(
		'clinicdesk-form-editor',
		plugins_url( 'blocks/consultation-form/editor.js', CLINICDESK_FILE ),
		array( 'wp-blocks', 'wp-element', 'wp-block-editor', 'wp-components', 'wp-i18n' ),
		$version,
		true
	);
	wp_set_script_translations( 'clinicdesk-form-editor', 'clinicdesk', CLINICDESK_DIR . '/languages' );
	add_shortcode( 'clinicdesk_consultation_form', 'clinicdesk_render_form' );
	register_block_type( CLINICDESK_DIR . '/blocks/consultation-form', array( 'render_callback' => 'clinicdesk_render_form' ) );
}
add_action( 'init', 'clinicdesk_register_form' );
