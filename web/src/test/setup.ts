import {cleanup} from '@testing-library/react';
import {afterEach} from 'vitest';

// jsdom has <dialog> but not its modal methods; these do what the tests rely on (open, close).
if (!HTMLDialogElement.prototype.showModal) {
	HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
		this.setAttribute('open', '');
	};
	HTMLDialogElement.prototype.close = function (this: HTMLDialogElement) {
		this.removeAttribute('open');
	};
}

afterEach(() => cleanup());
