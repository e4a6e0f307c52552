# Trust policies built from dynamic blocks over known values are read like written ones; a dynamic
# block over a value that cannot be known makes the trust policy a coverage gap (PR005), not "trusts
# nothing". Attributes an object leaves out are null, as with optional() in a variable's type.

variable "trust" {
  default = {
    service = {
      actions    = ["sts:AssumeRole"]
      principals = [{ type = "Service", identifiers = ["lambda.amazonaws.com"] }]
    }
    account = {
      actions    = ["sts:AssumeRole"]
      principals = [{ type = "AWS", identifiers = ["arn:aws:iam::111122223333:root"] }]
    }
  }
}

variable "unknown_principals" {}

data "aws_iam_policy_document" "trust" {
  dynamic "statement" {
    for_each = var.trust != null ? var.trust : {}
    content {
      actions     = statement.value.actions
      not_actions = statement.value.not_actions
      dynamic "principals" {
        for_each = statement.value.principals
        content {
          type        = principals.value.type
          identifiers = principals.value.identifiers
        }
      }
    }
  }
}

data "aws_iam_policy_document" "trust_unknown" {
  statement {
    actions = ["sts:AssumeRole"]
    dynamic "principals" {
      for_each = var.unknown_principals
      content {
        type        = principals.value.type
        identifiers = principals.value.identifiers
      }
    }
  }
}

resource "aws_iam_role" "known" {
  name               = "known"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role" "unknown" {
  name               = "unknown"
  assume_role_policy = data.aws_iam_policy_document.trust_unknown.json
}

resource "aws_lambda_function" "known" {
  function_name = "known"
  role          = aws_iam_role.known.arn
}

resource "aws_lambda_function" "unknown" {
  function_name = "unknown"
  role          = aws_iam_role.unknown.arn
}

# A module called over an empty collection has no instances: nothing in it is checked.
module "none" {
  source   = "./modules/fn"
  for_each = {}
}
