import { createContext, useContext } from 'react'

// The per-request CSP nonce, set on the server; the browser hides nonce
// attributes, so on the client it is an empty string.
const NonceContext = createContext('')
export const NonceProvider = NonceContext.Provider
export const useNonce = () => useContext(NonceContext)
