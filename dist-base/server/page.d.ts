/** The page's HTML. */
export declare function renderPage(): string;
