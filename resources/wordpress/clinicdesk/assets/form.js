/*
 * ClinicDesk consultation form, with JavaScript: sends the form with fetch to the REST endpoint
 * and shows errors in place, without a reload. Without JavaScript the form is a plain POST and
 * the server draws the same errors. No build step, no dependency.
 *
 * The page may come from a full-page cache, so its timing token may be old: a fresh one is asked
 * for when the page loads (that is when the person starts), and again after "expired".
 */
( function () {
	'use strict';

	var FIELDS = [ 'first_name', 'last_name', 'email', 'phone', 'preferred_contact', 'state', 'insurance', 'reason', 'message', 'consent' ];

	function refreshToken( form ) {
		var url = form.getAttribute( 'data-token-url' );
		if ( ! url || ! window.fetch ) {
			return Promise.resolve();
		}
		return fetch( url, { credentials: 'omit', cache: 'no-store' } )
			.then( function ( response ) { return response.ok ? response.json() : null; } )
			.then( function ( data ) {
				if ( data && typeof data.token === 'string' ) {
					form.elements.token.value = data.token;
				}
			} )
			.catch( function () { /* Keep the page's token: the server says if it is too old. */ } );
	}

	function messagesOf( form ) {
		var node = form.querySelector( 'script.cdf-messages' );
		try {
			return JSON.parse( node.textContent );
		} catch ( e ) {
			return {};
		}
	}

	function message( messages, field, code ) {
		var byField = messages[ field ] || {};
		return byField[ code ] || byField.invalid || ( messages._form || {} ).failed || '';
	}

	function clearErrors( form ) {
		FIELDS.forEach( function ( name ) {
			var error = form.querySelector( '#cdf-' + name + '-error' );
			if ( error ) {
				error.hidden = true;
				error.textContent = '';
				error.parentNode.classList.remove( 'cdf-has-error' );
			}
			var control = form.querySelector( '#cdf-' + name );
			if ( control ) {
				control.removeAttribute( 'aria-invalid' );
				var described = ( control.getAttribute( 'aria-describedby' ) || '' ).split( ' ' ).filter( function ( id ) {
					return id && id !== 'cdf-' + name + '-error';
				} );
				if ( described.length ) {
					control.setAttribute( 'aria-describedby', described.join( ' ' ) );
				} else {
					control.removeAttribute( 'aria-describedby' );
				}
			}
		} );
		var formError = form.querySelector( '#cdf-form-error' );
		formError.hidden = true;
		formError.textContent = '';
		var summary = form.querySelector( '#cdf-summary' );
		summary.hidden = true;
		summary.querySelector( 'ul' ).innerHTML = '';
	}

	function addSummaryLink( summary, target, text ) {
		var item = document.createElement( 'li' );
		var link = document.createElement( 'a' );
		link.href = '#' + target;
		link.textContent = text;
		item.appendChild( link );
		summary.querySelector( 'ul' ).appendChild( item );
	}

	function showErrors( form, fields, formCode ) {
		var messages = messagesOf( form );
		var summary = form.querySelector( '#cdf-summary' );
		FIELDS.forEach( function ( name ) {
			if ( ! fields || ! fields[ name ] ) {
				return;
			}
			var text = message( messages, name, fields[ name ] );
			var error = form.querySelector( '#cdf-' + name + '-error' );
			var control = form.querySelector( '#cdf-' + name ) || form.querySelector( '#cdf-contact-email' );
			if ( error ) {
				error.textContent = text;
				error.hidden = false;
				error.parentNode.classList.add( 'cdf-has-error' );
			}
			if ( control && control.id === 'cdf-' + name ) {
				control.setAttribute( 'aria-invalid', 'true' );
				var described = ( control.getAttribute( 'aria-describedby' ) || '' ).split( ' ' ).filter( Boolean );
				described.push( 'cdf-' + name + '-error' );
				control.setAttribute( 'aria-describedby', described.join( ' ' ) );
			}
			addSummaryLink( summary, control ? control.id : 'cdf-submit', text );
		} );
		if ( formCode ) {
			var text = message( messages, '_form', formCode );
			var formError = form.querySelector( '#cdf-form-error' );
			formError.textContent = text;
			formError.hidden = false;
			addSummaryLink( summary, 'cdf-submit', text );
		}
		summary.hidden = false;
		summary.focus();
	}

	function body( form ) {
		var data = {};
		FIELDS.forEach( function ( name ) {
			if ( name === 'consent' ) {
				data.consent = form.elements.consent.checked;
			} else if ( name === 'preferred_contact' ) {
				var checked = form.querySelector( 'input[name="preferred_contact"]:checked' );
				data.preferred_contact = checked ? checked.value : 'email';
			} else {
				data[ name ] = form.elements[ name ].value;
			}
		} );
		if ( data.state === '-' ) {
			data.state = '';
		}
		data.website = form.elements.website.value;
		data.token = form.elements.token.value;
		return data;
	}

	function confirm( form ) {
		var container = form.parentNode;
		var template = container.querySelector( 'template.cdf-confirmation-template' );
		var fresh = document.importNode( template.content, true ).querySelector( '.cdf-confirmation' );
		container.innerHTML = '';
		container.appendChild( fresh );
		fresh.focus();
	}

	function send( form, event ) {
		event.preventDefault();
		var button = form.querySelector( '#cdf-submit' );
		if ( button.disabled ) {
			return;
		}
		button.disabled = true;
		clearErrors( form );
		fetch( form.getAttribute( 'data-endpoint' ), {
			method: 'POST',
			credentials: 'omit',
			headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
			body: JSON.stringify( body( form ) )
		} )
			.then( function ( response ) {
				return response.json().catch( function () { return {}; } ).then( function ( data ) {
					return { status: response.status, data: data || {} };
				} );
			} )
			.then( function ( answer ) {
				button.disabled = false;
				if ( answer.status === 201 ) {
					confirm( form );
					return;
				}
				var code = answer.data.code;
				var details = answer.data.data || {};
				if ( answer.status === 429 ) {
					showErrors( form, null, 'rate_limited' );
				} else if ( details.fields ) {
					showErrors( form, details.fields, '' );
				} else if ( code === 'clinicdesk_too_fast' ) {
					showErrors( form, null, 'too_fast' );
				} else if ( code === 'clinicdesk_form_expired' ) {
					refreshToken( form );
					showErrors( form, null, 'expired' );
				} else if ( code === 'clinicdesk_rejected' ) {
					showErrors( form, null, 'rejected' );
				} else {
					showErrors( form, null, 'failed' );
				}
			} )
			.catch( function () {
				button.disabled = false;
				showErrors( form, null, 'failed' );
			} );
	}

	function start() {
		var forms = document.querySelectorAll( '.clinicdesk-form form.cdf' );
		Array.prototype.forEach.call( forms, function ( form ) {
			if ( ! window.fetch || ! window.JSON ) {
				return; // An old browser: the plain POST still works.
			}
			refreshToken( form );
			form.addEventListener( 'submit', function ( event ) { send( form, event ); } );
		} );
		// After a plain POST with errors the server drew the summary: take the person there.
		var summary = document.querySelector( '.clinicdesk-form .cdf-summary:not([hidden])' );
		if ( summary ) {
			summary.focus();
		}
	}

	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', start );
	} else {
		start();
	}
}() );
