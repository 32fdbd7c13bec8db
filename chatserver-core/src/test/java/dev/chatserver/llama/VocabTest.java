package dev.chatserver.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatserver.testing.TestModels;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Tokenizing and pieces, with the synthetic model (always) and the stories model (when present). */
class VocabTest {

    private static final String TEXT = "héllo 你好 🙂";

    @Test
    void roundTripOfMultiByteTextWithTheSyntheticModel() {
        roundTrip(TestModels.tiny(), false);
    }

    @Test
    void roundTripOfMultiByteTextWithTheStoriesModel() {
        roundTrip(SharedModels.stories(), true);
    }

    private static void roundTrip(Path file, boolean byteFallback) {
        try (LlamaModel model = LlamaModel.load(file, ModelParams.defaults())) {
            Vocab vocab = model.vocab();
            int[] tokens = vocab.tokenize(TEXT, true, false);
            assertThat(tokens[0]).isEqualTo(vocab.bos());
            // SentencePiece vocabularies prefix the text with a space; the BOS token has no bytes.
            assertThat(vocab.detokenize(tokens)).isIn(TEXT, " " + TEXT);

            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            boolean someoneSplitACharacter = false;
            for (int token : tokens) {
                byte[] piece = vocab.piece(token);
                joined.writeBytes(piece);
                someoneSplitACharacter |= !isWholeUtf8(piece);
            }
            assertThat(joined.toString(StandardCharsets.UTF_8)).endsWith(TEXT);
            // In the stories vocabulary (512 tokens) these characters are byte-fallback tokens: pieces end inside
            // a character, which is why pieces are bytes.
            assertThat(someoneSplitACharacter).isEqualTo(byteFallback);

            assertThat(vocab.tokenize(TEXT, false, false)).doesNotContain(vocab.bos());
            assertThat(vocab.tokenize("", false, false)).isEmpty();
        }
    }

    @Test
    void specialTokensAreParsedOnlyWhenAsked() {
        try (LlamaModel model = LlamaModel.load(TestModels.tiny(), ModelParams.defaults())) {
            Vocab vocab = model.vocab();
            int[] special = vocab.tokenize("<|im_end|>", false, true);
            assertThat(special).hasSize(1);
            assertThat(vocab.isEndOfGeneration(special[0])).isTrue();
            assertThat(vocab.eos()).isEqualTo(special[0]);
            assertThat(vocab.piece(special[0])).isEmpty();
            assertThat(new String(vocab.piece(special[0], true), StandardCharsets.UTF_8)).isEqualTo("<|im_end|>");
            assertThat(vocab.tokenize("<|im_end|>", false, false)).hasSizeGreaterThan(1);
            assertThat(vocab.isEndOfGeneration(vocab.bos())).isFalse();
        }
    }

    @Test
    void longTextNeedsMoreRoomThanTheFirstGuess() {
        try (LlamaModel model = LlamaModel.load(TestModels.tiny(), ModelParams.defaults())) {
            String text = "\u0001".repeat(2000); // a byte token each: more tokens than the first guess of room
            int[] tokens = model.vocab().tokenize(text, false, false);
            assertThat(tokens.length).isGreaterThanOrEqualTo(2000);
            assertThat(model.vocab().detokenize(tokens)).endsWith(text);
        }
    }

    @Test
    void tokensOutsideTheVocabularyAreRefused() {
        try (LlamaModel model = LlamaModel.load(TestModels.tiny(), ModelParams.defaults())) {
            Vocab vocab = model.vocab();
            assertThatThrownBy(() -> vocab.piece(vocab.size())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> vocab.piece(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static boolean isWholeUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
