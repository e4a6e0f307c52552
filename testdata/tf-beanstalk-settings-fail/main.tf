# An Elastic Beanstalk environment names its service role and its instance profile in `setting`
# blocks among many others. Here the service role trusts EC2 and the instance profile's role trusts
# Elastic Beanstalk: the two roles were swapped. PR001 at each setting's value; the other settings
# (instance type, health reporting) pass nothing.
resource "aws_iam_role" "service" {
  name = "shop-eb-service"
  path = "/eb/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "instance" {
  name = "shop-eb-instance"
  path = "/eb/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "elasticbeanstalk.amazonaws.com" }
    }]
  })
}

resource "aws_iam_instance_profile" "instance" {
  name = "shop-eb-instance"
  role = aws_iam_role.instance.name
}

resource "aws_elastic_beanstalk_application" "shop" {
  name = "shop"
}

resource "aws_elastic_beanstalk_environment" "shop" {
  name                = "shop-prod"
  application         = aws_elastic_beanstalk_application.shop.name
  solution_stack_name = "64bit Amazon Linux 2023 v6.1.0 running Node.js 20"

  setting {
    namespace = "aws:autoscaling:launchconfiguration"
    name      = "InstanceType"
    value     = "t3.small"
  }

  setting {
    namespace = "aws:autoscaling:launchconfiguration"
    name      = "IamInstanceProfile"
    value     = aws_iam_instance_profile.instance.name
  }

  setting {
    namespace = "aws:elasticbeanstalk:environment"
    name      = "ServiceRole"
    value     = aws_iam_role.service.arn
  }

  setting {
    namespace = "aws:elasticbeanstalk:healthreporting:system"
    name      = "SystemType"
    value     = "enhanced"
  }
}
